// How a finished AWS execution maps to DESIGN §1.5's exit codes, so `start --wait` and
// `watch` exit exactly like a local `stepmigrate run` would.
import type { ExecutionStatus } from '@aws-sdk/client-sfn';
import { ExitCode, exitCodeForError, exitCodeForRun } from '../../lambdas/engine/errors.ts';
import type { RunOutput } from '../../lambdas/engine/run-state.ts';
import { parseRunOutput, readCause } from './execution-cause.ts';

export interface FinishedExecution {
  status: ExecutionStatus | string;
  output?: string;
  error?: string;
  cause?: string;
  /** The run report the Report step produced, read from the history (a FAILED execution has no output). */
  report?: RunOutput;
}

export interface ExecutionOutcome {
  status: string;
  exitCode: ExitCode;
  /** One line saying how it ended and what that means. */
  summary: string;
  output?: RunOutput;
  error?: { name: string; message: string };
}

function describeSuccess(output: RunOutput): string {
  if (output.status === 'noop') return `nothing to do: ${output.database} is at ${output.toVersion}`;
  if (output.status === 'dry_run') {
    return `dry run: ${output.database} would go ${output.fromVersion} → ${output.toVersion} (${output.plan.pending.length} pending)`;
  }
  return `succeeded: ${output.database} ${output.fromVersion} → ${output.toVersion} (${output.applied.length} applied)`;
}

function succeededOutcome(execution: FinishedExecution): ExecutionOutcome {
  const output = parseRunOutput(execution.output);
  if (output === undefined) {
    return {
      status: 'SUCCEEDED',
      exitCode: ExitCode.ok,
      summary: 'succeeded (the output is not a stepmigrate run report)',
    };
  }
  const code = exitCodeForRun(output);
  const summary = code === ExitCode.ok ? describeSuccess(output) : `ended ${output.status}`;
  return { status: 'SUCCEEDED', exitCode: code, summary, output, error: output.error };
}

function consequence(code: ExitCode): string {
  switch (code) {
    case ExitCode.refused:
      return 'refused before any change';
    case ExitCode.rollbackFailed:
      return 'ROLLBACK FAILED — manual action needed (docs/operations.md, exit code 3)';
    case ExitCode.locked:
      return 'another run holds the lock for this database';
    default:
      return 'rolled back';
  }
}

function reverted(output: RunOutput | undefined): string {
  if (output === undefined || output.rolledBack.length === 0) return '';
  return ` (reverted ${output.rolledBack.join(', ')}; ${output.database} is at ${output.fromVersion})`;
}

function failedOutcome(execution: FinishedExecution): ExecutionOutcome {
  const cause = readCause(execution.cause);
  const runOutput = cause.runOutput ?? execution.report;
  // The Fail state repeats the original error name; a States.* name means the workflow
  // itself broke, and the error inside the cause (when there is one) is the better guide.
  const stateError = execution.error ?? 'Error';
  const name = stateError.startsWith('States.') && cause.errorName ? cause.errorName : stateError;
  const code = runOutput ? exitCodeForRun(runOutput) : exitCodeForError(name);
  const message = runOutput?.error?.message ?? cause.message;
  return {
    status: 'FAILED',
    exitCode: code,
    summary: `failed: ${name}${message ? `: ${message}` : ''} — ${consequence(code)}${reverted(runOutput)}`,
    ...(runOutput === undefined ? {} : { output: runOutput }),
    error: { name, message },
  };
}

export function outcomeOf(execution: FinishedExecution): ExecutionOutcome {
  switch (execution.status) {
    case 'SUCCEEDED':
      return succeededOutcome(execution);
    case 'FAILED':
    case 'PENDING_REDRIVE':
      return failedOutcome(execution);
    case 'TIMED_OUT':
      return {
        status: 'TIMED_OUT',
        exitCode: ExitCode.rolledBack,
        summary:
          'timed out: the execution stopped where it was, without running Rollback — check `stepmigrate status` ' +
          'and the audit log before starting again (docs/operations.md)',
        error: { name: execution.error ?? 'States.Timeout', message: readCause(execution.cause).message },
      };
    case 'ABORTED':
      return {
        status: 'ABORTED',
        exitCode: ExitCode.rolledBack,
        summary:
          'aborted: someone stopped the execution, without running Rollback — check `stepmigrate status` ' +
          'and the audit log before starting again (docs/operations.md)',
        error: { name: execution.error ?? 'Aborted', message: readCause(execution.cause).message },
      };
    default:
      throw new Error(`execution is still ${execution.status}`);
  }
}
