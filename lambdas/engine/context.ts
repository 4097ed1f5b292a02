// Everything the engine's steps need from their surroundings, passed in explicitly so the
// Lambdas, the local runner and the tests differ only in what they put here.

import type { Database, Lease } from '../ports.ts';
import type { LintConfig } from './lint/config.ts';
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
  /** Rule severities from the project's stepmigrate.json; the rules' defaults when absent. */
  lintConfig?: LintConfig;
  log?: (line: string) => void;
  /** Which runners this deployment has and their limits. @default Lambda only (LAMBDA_ONLY_LIMITS) */
  runners?: RunnerLimits;
}

export const DEFAULT_HISTORY_SCHEMA = 'stepmigrate';
