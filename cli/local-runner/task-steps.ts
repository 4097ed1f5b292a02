// Which step's handler serves each Task state, read from the function ARN the state invokes.
import { TASK_RUNNER_STATES } from '../../infra/task-contract.ts';
import { type StepFunctionName, TASK_STATE_STEPS } from '../../infra/workflow-states.ts';
import { type AslDefinition, allStates, logicalIdOfArn } from './resolve-definition.ts';
import { isSdkTask } from './sdk-task-handlers.ts';

/**
 * Maps each Task state to the step of the function it invokes, and refuses a definition
 * whose wiring differs from TASK_STATE_STEPS (a state calling another step's function).
 */
export function taskStepsOf(
  definition: AslDefinition,
  stepOfLogicalId: ReadonlyMap<string, StepFunctionName>,
): Record<string, StepFunctionName> {
  const taskSteps: Record<string, StepFunctionName> = {};
  for (const [name, state] of allStates(definition)) {
    // The task runner's states start a container, not a function: task-runner.ts binds them.
    if (state.Type !== 'Task' || TASK_RUNNER_STATES[name] !== undefined) continue;
    // AWS SDK integration states call an AWS API, not a function: sdk-task-handlers.ts binds them.
    if (isSdkTask(state.Resource)) continue;
    const logicalId = logicalIdOfArn(state.Parameters?.FunctionName);
    const step = logicalId === undefined ? undefined : stepOfLogicalId.get(logicalId);
    if (step === undefined)
      throw new Error(`Task state ${name} does not invoke one of the workflow's step functions`);
    const expected = TASK_STATE_STEPS[name];
    if (expected !== undefined && expected !== step) {
      throw new Error(`Task state ${name} invokes the ${step} function, expected ${expected}`);
    }
    taskSteps[name] = step;
  }
  return taskSteps;
}
