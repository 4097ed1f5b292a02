// What travels between the steps of one execution. Step Functions keeps it in the
// execution's state (256 KiB at most), so it holds versions and summaries, never SQL
// and never credentials.

import type { LeaseHolder } from '../ports.ts';
import type { DatabaseSnapshotRecord } from './database-snapshot.ts';
import type { ErrorSummary } from './errors.ts';
import type { Direction, Plan } from './model.ts';

/** The execution input of DESIGN §1.3 with every default filled in. */
export interface ExecutionInput {
  /** "latest", a version, or "0" (before the first migration). */
  target: string;
  dryRun: boolean;
  requireApproval: boolean;
  allowIrreversible: boolean;
  /** Unset means: the migration file's own setting, else the deployment's default. */
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  bakeSeconds: number;
  requestedBy?: string;
  database?: string;
}

export type PlannedStatus = 'pending' | 'noop' | 'dry_run';

/** What Validate hands to every later step. */
export interface RunState {
  executionId: string;
  database: string;
  input: ExecutionInput;
  status: PlannedStatus;
  plan: Plan;
  /** Schema fingerprint (hash) before anything changed; Rollback must get back to it. */
  fingerprintBefore: string;
  startedAt: string;
  /** The holder whose lease Validate took over because its run was gone (for the audit log). */
  leaseTakenOver?: LeaseHolder;
  /**
   * The RDS or Aurora snapshot the state machine took before Backup, when the workflow is
   * configured with one (infra/database-snapshot.ts writes it here, not a step).
   */
  databaseSnapshot?: DatabaseSnapshotRecord;
}

/** The result of applying (or reverting) one plan step. */
export interface AppliedStep {
  version: string;
  direction: Direction;
  durationMs: number;
  /** true when the step had already been recorded by this execution (a retried invocation). */
  alreadyDone: boolean;
}

export interface BackupTableSummary {
  name: string;
  rows: number;
  bytes: number;
  sha256: string;
  key: string;
}

export interface BackupSummary {
  /** Where the manifest is: "s3://bucket/key" or a file path. */
  location: string;
  manifestKey: string;
  tables: BackupTableSummary[];
  /**
   * A down run: values an earlier run's backup holds that its down sections re-create the
   * objects for and this run brings back (merged in each down section's transaction).
   */
  broughtBack?: DownRunData[];
  /** A down run: values an earlier run's backup holds that this run does NOT bring back, and how to. */
  notBroughtBack?: DownRunData[];
}

export interface DownRunData {
  /** The migration being undone. */
  migration: string;
  tables: string[];
  /** The earlier run whose backup holds the values. */
  executionId: string;
  /** The command that restores them by hand (null when that backup no longer exists). */
  restoreCommand: string | null;
  /** Why this run does not bring them back itself. */
  why?: string;
}

export type RunStatus = 'succeeded' | 'noop' | 'dry_run' | 'rolled_back' | 'rollback_failed' | 'failed';

export interface StepTiming {
  name: string;
  status: 'succeeded' | 'failed' | 'skipped';
  startedAt: string;
  durationMs: number;
}

/** The execution output of DESIGN §1.3, also what `stepmigrate run --json` prints. */
export interface RunOutput {
  status: RunStatus;
  executionId: string;
  database: string;
  fromVersion: string;
  toVersion: string;
  applied: string[];
  rolledBack: string[];
  /** The versions the run planned and its first findings (all of them are in Validate's audit record). */
  plan: Pick<Plan, 'findings'> & { pending: string[]; findingsTotal: number };
  backup?: {
    location: string;
    tables: Omit<BackupTableSummary, 'key'>[];
    broughtBack?: DownRunData[];
    notBroughtBack?: DownRunData[];
  };
  /** The whole-database snapshot taken before the table backup, when configured. */
  databaseSnapshot?: DatabaseSnapshotRecord;
  steps: StepTiming[];
  error?: ErrorSummary;
}

/** Bytes of table data a backup holds, summed over its tables. */
export function backupBytes(tables: readonly { bytes: number }[]): number {
  return tables.reduce((sum, table) => sum + table.bytes, 0);
}
