// Runs the synthesized definition with aws-local-stepfunctions, every Task state bound to
// the in-process step handler of the function it invokes on AWS.
import './polyfill.ts';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { StateName } from '../../infra/workflow-states.ts';
import type { RunOutput } from '../../lambdas/engine/run-state.ts';
import type { StepHandlers } from '../../lambdas/handlers/create-handlers.ts';
import { type AslDefinition, allStates } from './resolve-definition.ts';
import { localSdkTaskHandlers } from './sdk-task-handlers.ts';
import type { SynthesizedWorkflow } from './synthesize.ts';
import { type LocalTaskHandler, localTaskHandlers, NoLocalHandlerError } from './task-handlers.ts';
import {
  type LocalTaskRunnerOptions,
  localTaskRunnerHandlers,
  withLocalJsonToString,
} from './task-runner.ts';

type EventLogs = ReturnType<StateMachine['run']>['eventLogs'];
export type ExecutionEvent = EventLogs extends AsyncGenerator<infer E> ? E : never;

export interface LocalExecutionOptions {
  workflow: SynthesizedWorkflow;
  handlers: StepHandlers;
  input: Record<string, unknown>;
  executionId: string;
  /** Called for every event of the execution, as it happens (live progress). */
  onEvent?(event: ExecutionEvent): void;
  /**
   * Pause before a Retry, instead of the definition's interval (seconds to minutes on AWS).
   * @default 200
   */
  retryPauseMs?: number;
  /** Abort to stop the run at the next step boundary and let the workflow roll back. */
  interrupt?: AbortSignal;
  /** How the task-runner states start their process; without it they fail. */
  taskRunner?: Omit<LocalTaskRunnerOptions, 'interrupt'>;
  /** Budget of each local Lambda invocation (arms the deadline middleware). */
  lambdaBudgetMs?: number;
  /** Where the database snapshot states send their RDS calls (a stand-in of the RDS API). */
  rdsEndpoint?: string;
  /**
   * Pause between two polls of the database snapshot, instead of the definition's interval.
   * @default 1000
   */
  snapshotPollMs?: number;
}

export interface LocalExecutionResult {
  status: 'SUCCEEDED' | 'FAILED';
  /** The execution output; for a failed execution, what Report produced before Fail. */
  output?: RunOutput;
  /** Error and cause of a failed execution, as Step Functions would report them. */
  failure?: { error: string; cause: string };
}

function retryPauses(definition: AslDefinition, pauseMs: number): Record<string, number> {
  return Object.fromEntries(
    allStates(definition)
      .filter(([, s]) => s.Retry !== undefined)
      .map(([n]) => [n, pauseMs]),
  );
}

function taskTokenStates(definition: AslDefinition): Set<string> {
  return new Set(
    allStates(definition)
      .filter(([, s]) => s.Type === 'Task' && s.Resource?.endsWith('.waitForTaskToken'))
      .map(([name]) => name),
  );
}

function sequentialMapTasks(definition: AslDefinition): Set<string> {
  const names = new Set<string>();
  for (const [, state] of allStates(definition)) {
    const processor = state.ItemProcessor ?? state.Iterator;
    if (state.Type !== 'Map' || state.MaxConcurrency !== 1 || !processor) continue;
    for (const [inner, innerState] of Object.entries(processor.States))
      if (innerState.Type === 'Task') names.add(inner);
  }
  return names;
}

/**
 * Every Task state gets a local handler: those the step handlers and the task runner do not
 * serve fail with NoLocalHandlerError. So the emulator never reaches its AWS Lambda client,
 * which is what lets the compiled CLI leave that client out (cli-build/build.js).
 */
export function everyTaskServed(
  definition: AslDefinition,
  served: Record<string, LocalTaskHandler>,
): Record<string, LocalTaskHandler> {
  const handlers = { ...served };
  for (const [name, state] of allStates(definition)) {
    if (state.Type !== 'Task' || handlers[name] !== undefined) continue;
    handlers[name] = async () => {
      throw new NoLocalHandlerError(name);
    };
  }
  return handlers;
}

/** Report's output is the RunOutput; a failed execution throws it away, so keep it from the events. */
function reportOutput(event: ExecutionEvent): RunOutput | undefined {
  if (event.type !== 'StateExited' || event.state.name !== 'Report') return undefined;
  return event.state.output as unknown as RunOutput;
}

export async function executeLocally(options: LocalExecutionOptions): Promise<LocalExecutionResult> {
  const { definition, taskSteps } = options.workflow;
  const machine = new StateMachine(withLocalJsonToString(definition) as unknown as StateMachineDefinition, {
    // Validation costs about a second per run; test/infra validates the definition instead.
    validationOptions: { noValidate: true },
  });
  const execution = machine.run(options.input as never, {
    overrides: {
      taskResourceLocalHandlers: everyTaskServed(definition, {
        ...localTaskHandlers(taskSteps, options.handlers, {
          waitForTaskToken: taskTokenStates(definition),
          sequentialMapTasks: sequentialMapTasks(definition),
          interrupt: options.interrupt,
          lambdaBudgetMs: options.lambdaBudgetMs,
        }),
        ...(options.taskRunner
          ? localTaskRunnerHandlers(definition, { ...options.taskRunner, interrupt: options.interrupt })
          : {}),
        ...localSdkTaskHandlers(definition, { rdsEndpoint: options.rdsEndpoint }),
      }),
      retryIntervalOverrides: retryPauses(definition, options.retryPauseMs ?? 200),
      waitTimeOverrides: { [StateName.databaseSnapshotWait]: options.snapshotPollMs ?? 1000 },
    },
    context: {
      Execution: { Id: options.executionId, Name: options.executionId },
      // Approval's task token; locally the approval is answered in-process.
      Task: { Token: `local-task-token:${options.executionId}` },
    },
  });

  let output: RunOutput | undefined;
  const followEvents = (async () => {
    for await (const event of execution.eventLogs) {
      output = reportOutput(event) ?? output;
      options.onEvent?.(event);
    }
  })();

  try {
    const result = (await execution.result) as unknown as RunOutput;
    await followEvents;
    return { status: 'SUCCEEDED', output: result };
  } catch (error) {
    await followEvents.catch(() => undefined);
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const failure = {
      error: cause instanceof Error ? cause.name : 'Error',
      cause: cause instanceof Error ? cause.message : String(cause),
    };
    return { status: 'FAILED', output, failure };
  }
}
