// Follows one execution until it ends: prints progress from its history, then says how it
// ended. History is read newest-first and only down to the last event already shown, so a
// long execution does not re-read its whole history on every poll.
import {
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { executionConsoleUrl } from '../../lambdas/engine/notifications/console-link.ts';
import { type OutputSink, paint } from '../sink.ts';
import { type ExecutionOutcome, outcomeOf } from './execution-outcome.ts';
import { callAws } from './explain-error.ts';
import { HistoryRenderer } from './history-renderer.ts';

export interface FollowSettings {
  /**
   * On Ctrl-C, say that the execution keeps running and how to follow it again: people
   * expect Ctrl-C to stop the migration, and it does not. Set by the commands, not by tests.
   */
  explainInterrupt?: boolean;
  /** Time between two history reads. GetExecutionHistory has a small quota: keep it modest. */
  pollIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_POLL_INTERVAL_MS = 2000;
// While nothing happens (an Approval waiting for a day, a long statement) the interval
// doubles up to this, so a forgotten `watch` does not eat the account's history quota.
const MAX_IDLE_INTERVAL_MS = 30_000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function describeExecution(sfn: SFNClient, executionArn: string): Promise<DescribeExecutionOutput> {
  return callAws({ action: 'states:DescribeExecution', resource: executionArn }, () =>
    sfn.send(new DescribeExecutionCommand({ executionArn })),
  );
}

export async function fetchEventsAfter(
  sfn: SFNClient,
  executionArn: string,
  afterEventId: number,
): Promise<HistoryEvent[]> {
  const newestFirst: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callAws({ action: 'states:GetExecutionHistory', resource: executionArn }, () =>
      sfn.send(
        new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 200, nextToken }),
      ),
    );
    for (const event of page.events ?? []) {
      if ((event.id ?? 0) <= afterEventId) return newestFirst.reverse();
      newestFirst.push(event);
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return newestFirst.reverse();
}

export interface FollowResult {
  outcome: ExecutionOutcome;
  execution: DescribeExecutionOutput;
}

function explainInterrupt(executionArn: string, sink: OutputSink): () => void {
  const onInterrupt = () => {
    sink.err('');
    sink.err('stopped watching; the execution keeps running on AWS.');
    sink.err(`  follow it again: stepmigrate watch ${executionArn}`);
    sink.err(`  stop it:         aws stepfunctions stop-execution --execution-arn ${executionArn}`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  return () => process.off('SIGINT', onInterrupt);
}

const GLYPH_COLOURS = { '✓': 'green', '✗': 'red', '↻': 'yellow', '⏸': 'yellow' } as const;

/** Colours the mark of a progress line ("10:15:01  ✓ Validate (1.2 s)") on a TTY. */
function colourMark(sink: OutputSink, line: string): string {
  const match = /^(\S+ {2})([✓✗↻⏸])/.exec(line);
  if (match === null) return line;
  const glyph = match[2] as keyof typeof GLYPH_COLOURS;
  return `${match[1]}${paint(sink, GLYPH_COLOURS[glyph], glyph)}${line.slice(match[0].length)}`;
}

/** In JSON mode nothing is printed: the caller prints one JSON document at the end. */
export async function followExecution(
  sfn: SFNClient,
  executionArn: string,
  sink: OutputSink,
  settings: FollowSettings & { json?: boolean } = {},
): Promise<FollowResult> {
  const stopExplaining = settings.explainInterrupt ? explainInterrupt(executionArn, sink) : () => {};
  try {
    return await follow(sfn, executionArn, sink, settings);
  } finally {
    stopExplaining();
  }
}

async function follow(
  sfn: SFNClient,
  executionArn: string,
  sink: OutputSink,
  settings: FollowSettings & { json?: boolean },
): Promise<FollowResult> {
  const sleep = settings.sleep ?? realSleep;
  const interval = settings.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const show = (line: string) => (settings.json ? undefined : sink.out(line));
  let execution = await describeExecution(sfn, executionArn);
  show(`following ${execution.name ?? executionArn}`);
  show(`  ${executionConsoleUrl(executionArn)}`);

  const renderer = new HistoryRenderer();
  let wait = interval;
  for (;;) {
    const events = await fetchEventsAfter(sfn, executionArn, renderer.newestEventId);
    for (const line of renderer.render(events)) show(colourMark(sink, line));
    if (renderer.finished) break;
    if (events.length === 0) {
      // No news: make sure the execution has not ended without us seeing its last event.
      execution = await describeExecution(sfn, executionArn);
      if (execution.status !== 'RUNNING') break;
      wait = Math.min(wait * 2, Math.max(interval, MAX_IDLE_INTERVAL_MS));
    } else {
      wait = interval;
    }
    await sleep(wait);
  }
  execution = await describeExecution(sfn, executionArn);
  const outcome = outcomeOf({
    status: execution.status ?? 'FAILED',
    output: execution.output,
    error: execution.error,
    cause: execution.cause,
    report: renderer.report,
  });
  const mark = outcome.exitCode === 0 ? paint(sink, 'green', '✓') : paint(sink, 'red', '✗');
  show(`${mark} ${outcome.summary} (exit ${outcome.exitCode})`);
  return { outcome, execution };
}

/** What `--json` prints for a finished execution. */
export function outcomeJson(executionArn: string, result: FollowResult): Record<string, unknown> {
  return {
    executionArn,
    status: result.outcome.status,
    exitCode: result.outcome.exitCode,
    summary: result.outcome.summary,
    consoleUrl: executionConsoleUrl(executionArn),
    startDate: result.execution.startDate?.toISOString(),
    stopDate: result.execution.stopDate?.toISOString(),
    ...(result.outcome.output === undefined ? {} : { output: result.outcome.output }),
    ...(result.outcome.error === undefined ? {} : { error: result.outcome.error }),
  };
}
