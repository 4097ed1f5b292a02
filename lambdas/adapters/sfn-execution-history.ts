// Reads the newest events of one execution's history (states:GetExecutionHistory), reduced
// to the state name and data the failure notification interprets.
import {
  GetExecutionHistoryCommand,
  type SFNClient,
  type HistoryEvent as SfnHistoryEvent,
} from '@aws-sdk/client-sfn';
import type { HistoryEvent } from '../engine/notifications/failed-execution.ts';

export interface SfnExecutionHistoryOptions {
  client: SFNClient;
  /**
   * How many of the newest events to read at most. Report's exit is among the last five of a
   * failed run; the running migration of a timed-out one is usually within a few hundred.
   * @default 500
   */
  maxEvents?: number;
}

const PAGE_SIZE = 100;

function reduce(event: SfnHistoryEvent): HistoryEvent {
  const entered = event.stateEnteredEventDetails;
  const exited = event.stateExitedEventDetails;
  return {
    type: event.type ?? 'Unknown',
    stateName: entered?.name ?? exited?.name,
    data: entered?.input ?? exited?.output,
  };
}

export class SfnExecutionHistory {
  private readonly client: SFNClient;
  private readonly maxEvents: number;

  constructor(options: SfnExecutionHistoryOptions) {
    this.client = options.client;
    this.maxEvents = options.maxEvents ?? 500;
  }

  /** The newest events first, at most `maxEvents` of them. */
  async newestEvents(executionArn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new GetExecutionHistoryCommand({
          executionArn,
          reverseOrder: true,
          includeExecutionData: true,
          maxResults: Math.min(PAGE_SIZE, this.maxEvents - events.length),
          nextToken,
        }),
      );
      events.push(...(page.events ?? []).map(reduce));
      nextToken = page.nextToken;
    } while (nextToken !== undefined && events.length < this.maxEvents);
    return events;
  }
}
