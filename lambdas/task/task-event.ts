// The task side of the contract in infra/task-contract.ts: rebuilding the step's event from
// the container environment, and the task token answers the container gives.
import {
  TASK_EVENT_FIELDS,
  TASK_RUNNER_STEPS,
  TaskEnv,
  type TaskRunnerStep,
} from '../../infra/task-contract.ts';
import type { Env } from '../handlers/aws/environment.ts';

/** The task token contract: what the container calls while and after it works. */
export interface TaskCallback {
  heartbeat(): Promise<void>;
  succeed(output: unknown): Promise<void>;
  fail(error: { name: string; message: string }): Promise<void>;
}

export function isTaskRunnerStep(value: string | undefined): value is TaskRunnerStep {
  return (TASK_RUNNER_STEPS as readonly string[]).includes(value ?? '');
}

/** Rebuilds the step's event from the container environment. */
export function taskEventFrom(env: Env): { step: TaskRunnerStep; event: Record<string, unknown> } {
  const step = env[TaskEnv.step];
  if (!isTaskRunnerStep(step))
    throw new Error(`${TaskEnv.step} must be one of ${TASK_RUNNER_STEPS.join(', ')}, got "${step ?? ''}"`);
  const executionId = env[TaskEnv.executionId];
  if (!executionId) throw new Error(`${TaskEnv.executionId} is not set on this task`);
  const event: Record<string, unknown> = { executionId };
  for (const field of Object.keys(TASK_EVENT_FIELDS[step])) {
    const variable = `${TaskEnv.eventFieldPrefix}${field.toUpperCase()}`;
    const text = env[variable];
    if (text === undefined) throw new Error(`${variable} is not set on this ${step} task`);
    event[field] = JSON.parse(text);
  }
  return { step, event };
}
