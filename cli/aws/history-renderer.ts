// Turns Step Functions execution history events into the progress lines `watch` prints:
// state entered, succeeded, failed (with error and cause), retried, waiting for approval.
// Stateful: feed it each new batch of events, in order, and print what it returns.
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { RunOutput } from '../../lambdas/engine/run-state.ts';
import { parseRunOutput, readCause } from './execution-cause.ts';

interface OpenState {
  /** The state's name, as exit events give it. */
  stateName: string;
  /** What we print: the name, plus the migration for a step of the Apply map. */
  name: string;
  type: string;
  enteredAt: Date;
  printed: boolean;
  failure?: { error: string; message: string };
}

// Pass, Choice, Succeed and Fail states take no time and would only add noise.
const QUIET_STATE_TYPES = ['Pass', 'Choice', 'Succeed', 'Fail'];
const TERMINAL_EVENTS = new Set([
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionTimedOut',
  'ExecutionAborted',
]);
const FAILURE_DETAILS = [
  'taskFailedEventDetails',
  'taskTimedOutEventDetails',
  'taskStartFailedEventDetails',
  'taskSubmitFailedEventDetails',
  'lambdaFunctionFailedEventDetails',
  'lambdaFunctionTimedOutEventDetails',
  'lambdaFunctionStartFailedEventDetails',
  'lambdaFunctionScheduleFailedEventDetails',
  'activityFailedEventDetails',
  'activityTimedOutEventDetails',
  'mapRunFailedEventDetails',
  'evaluationFailedEventDetails',
] as const;
const SCHEDULED_EVENTS = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled']);

/** "ApplyMigration 0004_add_email" for a Map iteration whose input names its plan step. */
function stateLabel(name: string, input: string | undefined): string {
  if (input === undefined || !input.includes('"step"')) return name;
  try {
    const step = (JSON.parse(input) as { step?: { version?: unknown; name?: unknown; direction?: unknown } })
      .step;
    if (typeof step?.version !== 'string') return name;
    const label = typeof step.name === 'string' && step.name ? `${step.version}_${step.name}` : step.version;
    return `${name} ${step.direction === 'down' ? 'revert ' : ''}${label}`;
  } catch {
    return name;
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function clock(at: Date | undefined): string {
  return (at ?? new Date(0)).toISOString().slice(11, 19);
}

function failureOf(event: HistoryEvent): { error: string; message: string } | undefined {
  for (const key of FAILURE_DETAILS) {
    const details = event[key] as { error?: string; cause?: string } | undefined;
    if (details === undefined) continue;
    const cause = readCause(details.cause);
    return { error: details.error ?? cause.errorName ?? 'Error', message: cause.message };
  }
  return undefined;
}

/** The task token a callback task was given, if its parameters show it. */
function taskTokenOf(event: HistoryEvent): string | undefined {
  const details = event.taskScheduledEventDetails;
  if (details?.resource?.endsWith('.waitForTaskToken') !== true) return undefined;
  const match = /"(?:TaskToken|taskToken|token)"\s*:\s*"([^"]+)"/.exec(details.parameters ?? '');
  return match?.[1] ?? '';
}

export class HistoryRenderer {
  private readonly open: OpenState[] = [];
  private lastFailure: OpenState['failure'];
  private lastEventId = 0;
  finished = false;
  /** The last run report a state produced (Report's output), for executions that end FAILED. */
  report: RunOutput | undefined;

  /** The id of the newest event seen; the poller fetches only newer ones. */
  get newestEventId(): number {
    return this.lastEventId;
  }

  render(events: readonly HistoryEvent[]): string[] {
    const lines: string[] = [];
    for (const event of events) {
      if ((event.id ?? 0) <= this.lastEventId) continue;
      this.lastEventId = event.id ?? this.lastEventId;
      lines.push(...this.renderOne(event).map((text) => `${clock(event.timestamp)}  ${text}`));
    }
    return lines;
  }

  private renderOne(event: HistoryEvent): string[] {
    const type = event.type ?? '';
    if (type === 'ExecutionStarted') return ['execution started'];
    if (TERMINAL_EVENTS.has(type)) {
      this.finished = true;
      return this.open
        .filter((state) => state.failure)
        .map((state) => this.failedLine(state, event.timestamp));
    }
    if (type.endsWith('StateEntered'))
      return [...this.closeCaughtFailures(event), ...this.entered(event, type)];
    if (type === 'MapStateFailed' || type === 'ParallelStateFailed') return this.containerFailed(event);
    if (type.endsWith('StateExited')) return this.exited(event);
    const failure = failureOf(event);
    const current = this.open.at(-1);
    if (failure !== undefined && current !== undefined) {
      current.failure = failure;
      this.lastFailure = failure;
      return [];
    }
    if (SCHEDULED_EVENTS.has(type) && current?.failure !== undefined) {
      const { error, message } = current.failure;
      current.failure = undefined;
      return [`↻ ${current.name} retried after ${error}${message ? `: ${message}` : ''}`];
    }
    const token = taskTokenOf(event);
    if (token !== undefined && current !== undefined) return this.waitingLines(current.name, token);
    return [];
  }

  private entered(event: HistoryEvent, type: string): string[] {
    const name = stateLabel(
      event.stateEnteredEventDetails?.name ?? '?',
      event.stateEnteredEventDetails?.input,
    );
    const printed = !QUIET_STATE_TYPES.some((quiet) => type === `${quiet}StateEntered`);
    this.open.push({
      stateName: event.stateEnteredEventDetails?.name ?? '?',
      name,
      type: type.replace('StateEntered', ''),
      enteredAt: event.timestamp ?? new Date(0),
      printed,
    });
    return printed ? [`→ ${name}`] : [];
  }

  /**
   * A Catch moves on to the next state without the failed one exiting: a state entered
   * while failed ones are still open means they were caught.
   */
  private closeCaughtFailures(event: HistoryEvent): string[] {
    const lines: string[] = [];
    for (let top = this.open.at(-1); top?.failure !== undefined; top = this.open.at(-1)) {
      this.open.pop();
      if (top.printed) lines.push(this.failedLine(top, event.timestamp));
    }
    return lines;
  }

  /** A Map or Parallel fails because a branch did: it carries the branch's error. */
  private containerFailed(event: HistoryEvent): string[] {
    const index = this.open.findLastIndex((state) => state.type === 'Map' || state.type === 'Parallel');
    if (index < 0) return [];
    const lines: string[] = [];
    for (const child of this.open.splice(index + 1).reverse()) {
      if (child.printed && child.failure !== undefined) lines.push(this.failedLine(child, event.timestamp));
    }
    this.open[index]!.failure = this.lastFailure ?? { error: 'States.BranchFailed', message: '' };
    return lines;
  }

  private exited(event: HistoryEvent): string[] {
    const name = event.stateExitedEventDetails?.name ?? '';
    this.report = parseRunOutput(event.stateExitedEventDetails?.output) ?? this.report;
    const index = this.open.findLastIndex((state) => state.stateName === name);
    if (index < 0) return [];
    const [state] = this.open.splice(index, 1);
    if (state === undefined || !state.printed) return [];
    if (state.failure !== undefined) return [this.failedLine(state, event.timestamp)];
    return [`✓ ${state.name} (${formatDuration(this.elapsed(state, event.timestamp))})`];
  }

  private failedLine(state: OpenState, at: Date | undefined): string {
    const { error, message } = state.failure!;
    const took = formatDuration(this.elapsed(state, at));
    return `✗ ${state.name} failed after ${took}: ${error}${message ? `: ${message}` : ''}`;
  }

  private elapsed(state: OpenState, at: Date | undefined): number {
    return Math.max(0, (at ?? state.enteredAt).getTime() - state.enteredAt.getTime());
  }

  private waitingLines(stateName: string, token: string): string[] {
    if (token === '') return [`⏸ ${stateName}: waiting for approval (the token is in the approval e-mail)`];
    return [
      `⏸ ${stateName}: waiting for approval`,
      `    approve: stepmigrate approve ${token}`,
      `    reject:  stepmigrate reject ${token} --reason "…"`,
    ];
  }
}
