// How a run ended, read from the execution state that reached Report: which slots the
// workflow filled tells which path it took (see workflow-definition.ts).
import type { ErrorSummary } from '../../engine/errors.ts';
import type { RunStatus } from '../../engine/run-state.ts';
import type { AuditRecord } from '../../ports.ts';
import type { CaughtError, WorkflowState } from '../events.ts';

export interface RunOutcome {
  status: RunStatus;
  error?: ErrorSummary;
}

/** On AWS a Lambda error's Cause is the runtime's JSON; locally it is the message itself. */
export function parseCaught(caught: CaughtError): ErrorSummary {
  const cause = caught.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return { name: caught.Error, message: parsed.errorMessage };
  } catch {
    // not JSON: the message as it is
  }
  return { name: caught.Error, message: cause || caught.Error };
}

/** The audit record of the failure knows more (migration, file, line) than Error/Cause. */
function enrich(summary: ErrorSummary, audit: readonly AuditRecord[]): ErrorSummary {
  const failure = audit.find((r) => r.event === 'failed' && r.error?.name === summary.name);
  return failure?.error ? { ...failure.error } : summary;
}

function rollbackFailure(state: WorkflowState, rollbackError: CaughtError): ErrorSummary {
  const failure = parseCaught(rollbackError);
  const original = state.error ? ` (the run had failed with ${parseCaught(state.error).name})` : '';
  if (failure.name === 'RollbackFailedError') return { ...failure, message: `${failure.message}${original}` };
  return { name: 'RollbackFailedError', message: `${failure.name}: ${failure.message}${original}` };
}

/**
 * @param audit this execution's audit records, newest first
 */
export function runOutcome(state: WorkflowState, audit: readonly AuditRecord[]): RunOutcome {
  if (!state.run) {
    const caught = state.error ?? { Error: state.Error ?? 'Error', Cause: state.Cause };
    return { status: 'failed', error: enrich(parseCaught(caught), audit) };
  }
  if (state.rollbackError)
    return { status: 'rollback_failed', error: rollbackFailure(state, state.rollbackError) };
  if (state.error) {
    const error = enrich(parseCaught(state.error), audit);
    if (state.rollback) return { status: 'rolled_back', error };
    // With a run and no rollback, the failure was Approval's: nobody answered in time.
    if (error.name === 'States.Timeout') {
      const message = `nobody approved the run of ${state.run.database} within the approval timeout; nothing was changed`;
      return { status: 'failed', error: { name: 'ApprovalRejectedError', message } };
    }
    return { status: 'failed', error };
  }
  return { status: state.run.status === 'pending' ? 'succeeded' : state.run.status };
}
