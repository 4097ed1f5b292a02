// The task runner's core, the same for the Fargate container and the local process: run one
// step's handler (with all its middleware: audit, metrics, logging) on the task runner's
// dependencies, keep the task token alive while it works, and answer it.

import { TASK_HEARTBEAT_MS, type TaskRunnerStep } from '../../infra/task-contract.ts';
import { summarizeError } from '../engine/errors.ts';
import { createHandlers } from '../handlers/create-handlers.ts';
import { normalizeError } from '../handlers/middleware/normalize-error.ts';
import type { StepDependencies } from '../handlers/step-dependencies.ts';
import type { TaskCallback } from './task-event.ts';

export interface TaskStepOptions {
  step: TaskRunnerStep;
  event: Record<string, unknown>;
  deps: StepDependencies;
  callback: TaskCallback;
  /** @default TASK_HEARTBEAT_MS */
  heartbeatMs?: number;
}

/** Runs the step and answers the token; resolves true when the step succeeded. */
export async function runTaskStep(options: TaskStepOptions): Promise<boolean> {
  const { deps, callback } = options;
  // No Lambda deadline here: the task's own limit is the state's timeout.
  const handler = createHandlers({ ...deps, runner: 'task' })[options.step] as (
    event: unknown,
  ) => Promise<unknown>;
  const heartbeat = setInterval(() => {
    callback.heartbeat().catch((error: unknown) => deps.log(`task heartbeat failed: ${String(error)}`));
  }, options.heartbeatMs ?? TASK_HEARTBEAT_MS);
  heartbeat.unref?.();
  try {
    const output = await handler(options.event);
    await callback.succeed(output);
    return true;
  } catch (thrown) {
    const { name, message } = summarizeError(normalizeError(thrown));
    await callback.fail({ name, message });
    return false;
  } finally {
    clearInterval(heartbeat);
  }
}
