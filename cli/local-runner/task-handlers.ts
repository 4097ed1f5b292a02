// Binds the step handlers to the Task states of the synthesized definition, by state name,
// speaking the `arn:aws:states:::lambda:invoke` contract: the handler gets
// `{ FunctionName, Payload }` and answers `{ Payload: result }`. Errors pass through with
// their `name`, which is what the definition's Retry and Catch match.
import type { StepFunctionName } from '../../infra/workflow-states.ts';
import type { StepHandlers } from '../../lambdas/handlers/create-handlers.ts';
import { budgetContext } from './local-runners.ts';

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type LocalTaskHandler = (input: JsonValue) => Promise<JsonValue>;

interface LambdaInvokeParameters {
  FunctionName?: unknown;
  Payload?: unknown;
}

/** JSON round trip: the state holds what a real execution would hold, no Dates or undefineds. */
function asJson(value: unknown): JsonValue {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue);
}

export interface TaskBindingOptions {
  /** Task states whose result is the task token answer rather than a Lambda response. */
  waitForTaskToken?: ReadonlySet<string>;
  /** Task states that are the item processor of a Map with MaxConcurrency 1. */
  sequentialMapTasks?: ReadonlySet<string>;
  /** Once aborted, steps that change or inspect the database fail, so the workflow rolls back. */
  interrupt?: AbortSignal;
  /** Each invocation gets a Lambda context with this much time, so the deadline middleware acts. */
  lambdaBudgetMs?: number;
}

/** Steps that still run after an interrupt: they are how the workflow cleans up. */
const CLEAN_UP_STEPS: ReadonlySet<StepFunctionName> = new Set(['rollback', 'report']);

export class InterruptedError extends Error {
  constructor(stateName: string) {
    super(`interrupted before ${stateName} could finish; rolling back what this run applied`);
    this.name = 'InterruptedError';
  }
}

/**
 * A Task state of the definition that no local handler serves. aws-local-stepfunctions would
 * call AWS Lambda for it; a local run never calls AWS, so the state fails with this instead.
 */
export class NoLocalHandlerError extends Error {
  constructor(stateName: string) {
    super(
      `Task state ${stateName} has no local handler, and a local run never calls AWS: ` +
        "a task-runner state needs the run's task runner settings (runWorkflowLocally passes them)",
    );
    this.name = 'NoLocalHandlerError';
  }
}

export class MapStoppedError extends Error {
  constructor(stateName: string) {
    super(`${stateName}: an earlier item of the Map failed; later items do not run`);
    this.name = 'States.Runtime';
  }
}

/**
 * On AWS a Map stops starting items once one has failed. aws-local-stepfunctions still
 * starts the items it had queued, which would apply a migration after an earlier one
 * failed. Items of a MaxConcurrency 1 Map run one after another, so an invocation with a
 * new payload right after a failed one is a later item: it is refused. A retry carries
 * the same payload and goes through.
 */
function sequentialGuard(stateName: string, handler: LocalTaskHandler): LocalTaskHandler {
  let failedPayload: string | undefined;
  return async (input) => {
    const payload = JSON.stringify(input);
    if (failedPayload !== undefined && failedPayload !== payload) throw new MapStoppedError(stateName);
    try {
      const result = await handler(input);
      failedPayload = undefined;
      return result;
    } catch (error) {
      failedPayload = payload;
      throw error;
    }
  };
}

export function localTaskHandlers(
  taskSteps: Readonly<Record<string, StepFunctionName>>,
  handlers: StepHandlers,
  options: TaskBindingOptions = {},
): Record<string, LocalTaskHandler> {
  const bound: Record<string, LocalTaskHandler> = {};
  for (const [stateName, step] of Object.entries(taskSteps)) {
    const handler = handlers[step] as (event: unknown, context?: unknown) => Promise<unknown>;
    const interruptible = !CLEAN_UP_STEPS.has(step);
    const checkInterrupt = () => {
      if (interruptible && options.interrupt?.aborted) throw new InterruptedError(stateName);
    };
    const invoke: LocalTaskHandler = async (input) => {
      const { Payload } = (input ?? {}) as LambdaInvokeParameters;
      checkInterrupt();
      const context =
        options.lambdaBudgetMs === undefined ? undefined : budgetContext(options.lambdaBudgetMs);
      const value = await handler(asJson(Payload), context);
      // Interrupted while the step ran: its statement was cancelled, or it had just
      // finished; either way its result is dropped so the definition's Catch takes the run
      // to Rollback.
      checkInterrupt();
      const result = asJson(value);
      // A .waitForTaskToken task's result is what the approver sent, not a Lambda response.
      return options.waitForTaskToken?.has(stateName) ? result : { Payload: result };
    };
    bound[stateName] = options.sequentialMapTasks?.has(stateName)
      ? sequentialGuard(stateName, invoke)
      : invoke;
  }
  return bound;
}
