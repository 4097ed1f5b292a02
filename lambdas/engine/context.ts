// Everything the engine's steps need from their surroundings, passed in explicitly so the
// Lambdas, the local runner and the tests differ only in what they put here.

import type { Database, HolderLiveness, Lease } from '../ports.ts';
import type { AdoptSettings } from './adopt/tool-history.ts';
import type { LintConfig } from './lint/config.ts';
import type { LiveLintSettings } from './lint/live-severity.ts';
import type { MigrationSet } from './model.ts';
import type { RunnerLimits } from './runner-choice.ts';

export interface EngineContext {
  db: Database;
  migrations: MigrationSet;
  /** Schema in the target database that holds `schema_history` and the lease table. */
  historySchema: string;
  /** Used when neither the execution input nor the migration file sets a timeout. */
  defaults: { lockTimeoutMs: number; statementTimeoutMs: number };
  /** Recorded as `applied_by`: the IAM role on AWS, the OS user locally. */
  actor: string;
  lease: Lease;
  /**
   * How long the run lease lasts, and how much longer Validate takes it for a run that waits
   * for approval. On AWS from STEPMIGRATE_LEASE_TTL_MS and STEPMIGRATE_APPROVAL_TIMEOUT_MS.
   * @default 30 minutes and 24 hours
   */
  leaseTiming?: { leaseTtlMs?: number; approvalTimeoutMs?: number };
  /** Tells whether a lease's holder still runs, so a dead holder's lease is reclaimed at once. */
  holders?: HolderLiveness;
  /** Rule severities from the project's stepmigrate.json; the rules' defaults when absent. */
  lintConfig?: LintConfig;
  /** How Validate weighs lock hazards by the live tables (stepmigrate.json "liveLint"); on by default. */
  liveLint?: LiveLintSettings;
  /** Where another tool's bookkeeping is, and whether to keep it up to date (stepmigrate.json "adopt"). */
  adopt?: AdoptSettings;
  log?: (line: string) => void;
  /** Which runners this deployment has and their limits. @default Lambda only (LAMBDA_ONLY_LIMITS) */
  runners?: RunnerLimits;
}

export const DEFAULT_HISTORY_SCHEMA = 'stepmigrate';
