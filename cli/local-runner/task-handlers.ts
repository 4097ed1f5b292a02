// Binds the step handlers to the Task states of the synthesized definition, by state name,
// speaking the `arn:aws:states:::lambda:invoke` contract: the handler gets
// `{ FunctionName, Payload }` and answers `{ Payload: result }`. Errors pass through with
// their `name`, which is what the definition's Retry and Catch match.
import type { StepFunctionName } from '../../infra/workflow-definition.ts';
import type { StepHandlers } from '../../lambdas/handlers/create-handlers.ts';

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

export function localTaskHandlers(
  taskSteps: Readonly<Record<string, StepFunctionName>>,
  handlers: StepHandlers,
  waitForTaskToken: ReadonlySet<string> = new Set(),
): Record<string, LocalTaskHandler> {
  const bound: Record<string, LocalTaskHandler> = {};
  for (const [stateName, step] of Object.entries(taskSteps)) {
    const handler = handlers[step] as (event: unknown) => Promise<unknown>;
    bound[stateName] = async (input) => {
      const { Payload } = (input ?? {}) as LambdaInvokeParameters;
      const result = asJson(await handler(asJson(Payload)));
      // A .waitForTaskToken task's result is what the approver sent, not a Lambda response.
      return waitForTaskToken.has(stateName) ? result : { Payload: result };
    };
  }
  return bound;
}
