// A Step Functions execution as aws-sdk-client-mock sees it: history that grows by one
// batch per poll, served newest-first in pages like the real API, and DescribeExecution
// that reports RUNNING until the last batch is visible.
import {
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type HistoryEventType,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  SFNClient,
  type SFNClientResolvedConfig,
} from '@aws-sdk/client-sfn';
import type { AwsStub } from 'aws-sdk-client-mock';
import { bufferSink } from '../../../cli/sink.ts';
import type { RunOutput } from '../../../lambdas/engine/run-state.ts';

export const REGION = 'eu-west-1';
export const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:123456789012:stateMachine:orders-migrations`;
export const EXECUTION_ARN = `arn:aws:states:${REGION}:123456789012:execution:orders-migrations:orders-prod-latest-20261121T101500-a1b2`;

export type SfnStub = AwsStub<ServiceInputTypes, ServiceOutputTypes, SFNClientResolvedConfig>;

export function client(): SFNClient {
  return new SFNClient({
    region: REGION,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
}

export const noWait = { pollIntervalMs: 0, sleep: async () => {} };

export function sinkForTest() {
  return bufferSink();
}

/** Builds realistic history events with increasing ids and timestamps. */
export class Timeline {
  private id = 0;
  private clock = Date.parse('2026-11-21T10:15:00Z');
  readonly events: HistoryEvent[] = [];

  private push(type: HistoryEventType, details: Partial<HistoryEvent> = {}, advanceMs = 0): this {
    this.clock += advanceMs;
    this.id += 1;
    this.events.push({
      id: this.id,
      previousEventId: this.id - 1,
      timestamp: new Date(this.clock),
      type,
      ...details,
    });
    return this;
  }

  /** An event without details, e.g. MapStateStarted or MapStateFailed. */
  plain(type: HistoryEventType): this {
    return this.push(type);
  }

  started(input: object = {}): this {
    return this.push('ExecutionStarted', { executionStartedEventDetails: { input: JSON.stringify(input) } });
  }

  enter(name: string, type: 'Task' | 'Map' | 'Choice' | 'Fail' | 'Succeed' = 'Task', input?: object): this {
    return this.push(`${type}StateEntered` as HistoryEventType, {
      stateEnteredEventDetails: { name, ...(input === undefined ? {} : { input: JSON.stringify(input) }) },
    });
  }

  exit(
    name: string,
    type: 'Task' | 'Map' | 'Choice' | 'Fail' | 'Succeed' = 'Task',
    output: object = {},
  ): this {
    return this.push(`${type}StateExited` as HistoryEventType, {
      stateExitedEventDetails: { name, output: JSON.stringify(output) },
    });
  }

  scheduled(resource = 'invoke', parameters: object = {}): this {
    return this.push('TaskScheduled', {
      taskScheduledEventDetails: {
        resourceType: 'lambda',
        resource,
        region: REGION,
        parameters: JSON.stringify(parameters),
      },
    });
  }

  succeededTask(ms: number): this {
    return this.push(
      'TaskSucceeded',
      { taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke' } },
      ms,
    );
  }

  failedTask(error: string, errorMessage: string, ms: number): this {
    const cause = JSON.stringify({ errorType: error, errorMessage, trace: [`${error}: ${errorMessage}`] });
    return this.push(
      'TaskFailed',
      { taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error, cause } },
      ms,
    );
  }

  task(name: string, ms: number, input?: object): this {
    return this.enter(name, 'Task', input).scheduled().succeededTask(ms).exit(name);
  }

  succeeded(output: object): this {
    return this.push('ExecutionSucceeded', {
      executionSucceededEventDetails: { output: JSON.stringify(output) },
    });
  }

  failed(error: string, cause: string): this {
    return this.push('ExecutionFailed', { executionFailedEventDetails: { error, cause } });
  }
}

export function runOutput(overrides: Partial<RunOutput> = {}): RunOutput {
  return {
    status: 'succeeded',
    executionId: EXECUTION_ARN,
    database: 'orders-prod',
    fromVersion: '0003',
    toVersion: '0005',
    applied: ['0004', '0005'],
    rolledBack: [],
    plan: { pending: ['0004', '0005'], findings: [], findingsTotal: 0 },
    steps: [],
    ...overrides,
  };
}

/**
 * Serves `batches` of events, one more batch per poll. `final` is what DescribeExecution
 * returns once every batch is visible.
 */
export function fakeExecution(
  sfn: SfnStub,
  batches: HistoryEvent[][],
  final: Partial<DescribeExecutionOutput>,
  pageSize = 3,
): { polls: () => number } {
  let visible = 0;
  let polls = 0;
  const revealed = () => batches.slice(0, visible).flat();
  sfn.on(GetExecutionHistoryCommand).callsFake((input: { reverseOrder?: boolean; nextToken?: string }) => {
    if (input.nextToken === undefined) {
      polls += 1;
      visible = Math.min(visible + 1, batches.length);
    }
    const events = input.reverseOrder ? [...revealed()].reverse() : revealed();
    const start = Number(input.nextToken ?? 0);
    const page = events.slice(start, start + pageSize);
    const more = start + pageSize < events.length;
    return { events: page, ...(more ? { nextToken: String(start + pageSize) } : {}) };
  });
  sfn.on(DescribeExecutionCommand).callsFake(() => ({
    executionArn: EXECUTION_ARN,
    stateMachineArn: STATE_MACHINE_ARN,
    name: EXECUTION_ARN.split(':').at(-1),
    startDate: new Date('2026-11-21T10:15:00Z'),
    ...(visible >= batches.length ? final : { status: 'RUNNING' }),
  }));
  return { polls: () => polls };
}
