// The facts of an execution that ended FAILED, TIMED_OUT or ABORTED, gathered from what
// EventBridge and the execution history say about it. A failed run ends after Report, whose
// output (the RunOutput) says what happened; a timed-out or aborted one never reached Report,
// so the history is searched for the migration that was running. Pure: the notifier Lambda
// reads the history and publishes, this only interprets.
import type { RunOutput } from '../run-state.ts';
import { type FailureDetails, type FailureOutcome, failureDetailsFromRunOutput } from './failure-message.ts';

/** The `detail` of a "Step Functions Execution Status Change" event. */
export interface ExecutionStatusDetail {
  executionArn: string;
  name?: string;
  status: string;
  stopDate?: number | null;
  error?: string | null;
  cause?: string | null;
}

/** One history event, newest first, reduced to what is read here. */
export interface HistoryEvent {
  type: string;
  /** The state's name, for StateEntered/StateExited events. */
  stateName?: string;
  /** The state's input (StateEntered) or output (StateExited), as JSON text. */
  data?: string;
}

/** The state whose output is the execution's RunOutput (infra/workflow-states.ts). */
const REPORT_STATE = 'Report';
/** The Task state inside the Apply Map that applies one migration. */
const APPLY_MIGRATION_STATE = 'ApplyMigration';

const FAILED_STATUSES = new Set<string>(['failed', 'rolled_back', 'rollback_failed']);

const OUTCOMES: Record<string, FailureOutcome> = { TIMED_OUT: 'timed_out', ABORTED: 'aborted' };

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // The history truncates large data; a cut-off document is as good as none.
    return undefined;
  }
}

function isRunOutput(value: unknown): value is RunOutput {
  const output = value as Partial<RunOutput> | undefined;
  return typeof output?.status === 'string' && typeof output.database === 'string';
}

/** The version of the migration the newest ApplyMigration was working on, if any. */
function runningMigration(history: readonly HistoryEvent[]): string | undefined {
  const entered = history.find(
    (event) => event.type === 'TaskStateEntered' && event.stateName === APPLY_MIGRATION_STATE,
  );
  const input = parseJson(entered?.data) as { step?: { version?: unknown } } | undefined;
  return typeof input?.step?.version === 'string' ? input.step.version : undefined;
}

export function failureDetailsFromExecution(
  detail: ExecutionStatusDetail,
  history: readonly HistoryEvent[],
  database: string,
): FailureDetails {
  const at = typeof detail.stopDate === 'number' ? new Date(detail.stopDate).toISOString() : undefined;
  const report = history.find(
    (event) => event.type === 'TaskStateExited' && event.stateName === REPORT_STATE,
  );
  const output = parseJson(report?.data);
  // Report's account only counts when it says the run failed; an execution that failed after
  // a successful Report (in the Outcome choice, say) is reported as unexplained.
  if (detail.status === 'FAILED' && isRunOutput(output) && FAILED_STATUSES.has(output.status)) {
    return failureDetailsFromRunOutput(output, detail.executionArn, at === undefined ? {} : { at });
  }
  const version = runningMigration(history);
  return {
    database,
    executionArn: detail.executionArn,
    // A FAILED execution without a readable report did not say whether it rolled back.
    outcome: OUTCOMES[detail.status] ?? 'unreported',
    error: {
      name: detail.error || `States.${detail.status}`,
      message: detail.cause || `the execution ended ${detail.status}`,
    },
    ...(version === undefined ? {} : { migration: { version } }),
    ...(at === undefined ? {} : { at }),
  };
}
