// Every error the workflow can end with. The `name` of each class is part of the
// contract (DESIGN §1.3): the state machine's Retry/Catch match on it, the CLI maps
// it to an exit code, and it is written to the audit log. Never rename one.
import type { Finding } from './model.ts';
import type { RunOutput } from './run-state.ts';

/** Fields every stepmigrate error may carry, so a failure can say exactly where it happened. */
export interface ErrorContext {
  /** Migration version the error is about, e.g. "0005". */
  migration?: string;
  /** Migration file, relative to the migrations directory. */
  file?: string;
  /** 1-based line in `file`. */
  line?: number;
  /** 1-based column in `line`. */
  column?: number;
  cause?: unknown;
}

export class StepMigrateError extends Error {
  readonly migration?: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;

  constructor(message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = 'StepMigrateError';
    this.migration = context.migration;
    this.file = context.file;
    this.line = context.line;
    this.column = context.column;
  }
}

/**
 * Execution input, CLI arguments, configuration or a migration file are wrong. Nothing was
 * changed. Loader errors carry `file` and `line`.
 */
export class InputError extends StepMigrateError {
  constructor(message: string, context?: ErrorContext) {
    super(message, context);
    this.name = 'InputError';
  }
}

/** An applied migration's file changed since it was applied. */
export class ChecksumMismatchError extends StepMigrateError {
  constructor(message: string, context?: ErrorContext) {
    super(message, context);
    this.name = 'ChecksumMismatchError';
  }
}

/** A pending migration has error-level lint findings. */
export class LintError extends StepMigrateError {
  /** Every finding of the pending migrations, so a refused run's output can list them. */
  readonly findings: readonly Finding[];

  constructor(message: string, context?: ErrorContext & { findings?: readonly Finding[] }) {
    super(message, context);
    this.name = 'LintError';
    this.findings = context?.findings ?? [];
  }
}

/** A previous non-transactional migration failed half-way; an operator must look and `repair`. */
export class DirtyStateError extends StepMigrateError {
  constructor(message: string, context?: ErrorContext) {
    super(message, context);
    this.name = 'DirtyStateError';
  }
}

/** Another run holds the advisory lock or the lease for this database. */
export class LockedError extends StepMigrateError {
  constructor(message: string, context?: ErrorContext) {
    super(message, context);
    this.name = 'LockedError';
  }
}

/** The live database is not in a state where the run is safe (privileges, old transactions…). */
export class PreflightError extends StepMigrateError {
  constructor(message: string, context?: ErrorContext) {
    super(message, context);
    this.name = 'PreflightError';
  }
}

/**
 * The run would not fit in Step Functions' execution state (256 KiB): refused at Validate,
 * before the lease, so nothing changed. Run it in parts with a lower target.
 */
export class StateBudgetError extends StepMigrateError {
  constructor(message: string, context?: ErrorContext) {
    super(message, context);
    this.name = 'StateBudgetError';
  }
}

/** Somebody answered the Approval step with "no". */
export class ApprovalRejectedError extends StepMigrateError {
  constructor(message: string, context?: ErrorContext) {
    super(message, context);
    this.name = 'ApprovalRejectedError';
  }
}

/** Backing up a table, or reading a backup back, failed. */
export class BackupError extends StepMigrateError {
  constructor(message: string, context?: ErrorContext) {
    super(message, context);
    this.name = 'BackupError';
  }
}

/** A migration statement failed. */
export class MigrationError extends StepMigrateError {
  constructor(message: string, context?: ErrorContext) {
    super(message, context);
    this.name = 'MigrationError';
  }
}

/**
 * A step reached its Lambda deadline and cancelled its work cleanly (a transactional section
 * rolled back, or a backup that changed nothing). The workflow hands the same work to the
 * long-running task runner; without one it is rolled back like any MigrationError.
 */
export class DeadlineReachedError extends MigrationError {
  constructor(message: string, context?: ErrorContext) {
    super(message, context);
    this.name = 'DeadlineReachedError';
  }
}

/** A statement waited longer than lock_timeout for a lock. Retried by the state machine. */
export class LockTimeoutError extends MigrationError {
  constructor(message: string, context?: ErrorContext) {
    super(message, context);
    this.name = 'LockTimeoutError';
  }
}

/** A verify section or a post-check failed after apply. */
export class VerificationFailedError extends StepMigrateError {
  constructor(message: string, context?: ErrorContext) {
    super(message, context);
    this.name = 'VerificationFailedError';
  }
}

/** A watched CloudWatch alarm went into ALARM during Bake. */
export class BakeAlarmError extends StepMigrateError {
  constructor(message: string, context?: ErrorContext) {
    super(message, context);
    this.name = 'BakeAlarmError';
  }
}

/**
 * Validate estimated that the run cannot finish within the configured runners and limits
 * (Lambda budget, task runner, its timeout). Nothing was changed; the message says what to configure.
 */
export class RunnerLimitError extends StepMigrateError {
  constructor(message: string, context?: ErrorContext) {
    super(message, context);
    this.name = 'RunnerLimitError';
  }
}

/**
 * The RDS or Aurora snapshot taken before the table backup did not become available (the API
 * refused it, it failed, or it took longer than the workflow waits). The state machine raises it
 * before Backup, so nothing was changed; the message names the snapshot and what to check.
 */
export class DatabaseSnapshotError extends StepMigrateError {
  constructor(message: string, context?: ErrorContext) {
    super(message, context);
    this.name = 'DatabaseSnapshotError';
  }
}

/** Rollback could not bring the database back to where the run started. Manual action needed. */
export class RollbackFailedError extends StepMigrateError {
  constructor(message: string, context?: ErrorContext) {
    super(message, context);
    this.name = 'RollbackFailedError';
  }
}

/** Exit codes of DESIGN §1.5. */
export const ExitCode = {
  ok: 0,
  rolledBack: 1,
  refused: 2,
  rollbackFailed: 3,
  locked: 4,
  usage: 64,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const refusedBeforeAnyChange = new Set([
  'InputError',
  'ChecksumMismatchError',
  'LintError',
  'DirtyStateError',
  'PreflightError',
  'StateBudgetError',
  'ApprovalRejectedError',
  'RunnerLimitError',
  'DatabaseSnapshotError',
]);

/** The exit code for a run that ended with an error of this name (DESIGN §1.5). */
export function exitCodeForError(name: string): ExitCode {
  if (name === 'LockedError') return ExitCode.locked;
  if (name === 'RollbackFailedError') return ExitCode.rollbackFailed;
  if (refusedBeforeAnyChange.has(name)) return ExitCode.refused;
  return ExitCode.rolledBack;
}

/** The exit code of a finished run, from its output (the same locally and on AWS). */
export function exitCodeForRun(output: Pick<RunOutput, 'status' | 'error'> | undefined): ExitCode {
  switch (output?.status) {
    case 'succeeded':
    case 'noop':
    case 'dry_run':
      return ExitCode.ok;
    case 'rolled_back':
      return ExitCode.rolledBack;
    case 'rollback_failed':
      return ExitCode.rollbackFailed;
    case 'failed': {
      // "failed" (not rolled back) means Validate or Approval stopped the run: nothing was
      // changed, so an unexpected error there (a lost connection, an audit outage) is a refusal.
      const code = exitCodeForError(output.error?.name ?? 'Error');
      return code === ExitCode.rolledBack ? ExitCode.refused : code;
    }
    default:
      return ExitCode.rolledBack;
  }
}

/** The message of anything thrown: an Error's message, or the value itself as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A plain, serialisable view of an error for state output, audit records and `--json`. */
export interface ErrorSummary {
  name: string;
  message: string;
  migration?: string;
  file?: string;
  line?: number;
  column?: number;
}

export function summarizeError(error: unknown): ErrorSummary {
  if (error instanceof StepMigrateError) {
    const summary: ErrorSummary = { name: error.name, message: error.message };
    if (error.migration !== undefined) summary.migration = error.migration;
    if (error.file !== undefined) summary.file = error.file;
    if (error.line !== undefined) summary.line = error.line;
    if (error.column !== undefined) summary.column = error.column;
    return summary;
  }
  if (error instanceof Error) return { name: error.name || 'Error', message: error.message };
  return { name: 'Error', message: String(error) };
}
