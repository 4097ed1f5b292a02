// The task runner's entry point for local runs: the process the local runner starts for a
// task-runner state. The same core as the container (lambdas/task/run-task-step.ts), on the
// local dependencies of the run; the task token is answered on file descriptor 3.
import { createWriteStream } from 'node:fs';
import type { LayoutName } from '../../lambdas/engine/model.ts';
import { runTaskStep } from '../../lambdas/task/run-task-step.ts';
import type { TaskCallback } from '../../lambdas/task/task-event.ts';
import { taskEventFrom } from '../../lambdas/task/task-event.ts';
import { localDependencies } from './local-dependencies.ts';
import { LOCAL_TASK_SETTINGS_ENV, type LocalTaskSettings } from './task-runner.ts';

const answers = createWriteStream('', { fd: 3 });

function answer(message: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    answers.write(`${JSON.stringify(message)}\n`, (error) => (error ? reject(error) : resolve()));
  });
}

const callback: TaskCallback = {
  heartbeat: () => answer({ type: 'heartbeat' }),
  succeed: (output) => answer({ type: 'succeeded', output }),
  fail: (error) => answer({ type: 'failed', error }),
};

async function main(): Promise<number> {
  const settings = JSON.parse(process.env[LOCAL_TASK_SETTINGS_ENV] ?? 'null') as LocalTaskSettings | null;
  if (!settings) {
    await callback.fail({ name: 'InputError', message: `${LOCAL_TASK_SETTINGS_ENV} is not set` });
    return 64;
  }
  const { step, event } = taskEventFrom(process.env);
  const local = await localDependencies({
    ...settings,
    layout: settings.layout as LayoutName | 'auto' | undefined,
    approval: 'refuse',
    log: (line) => process.stderr.write(`${line}\n`),
  });
  try {
    return (await runTaskStep({ step, event, deps: local.deps, callback })) ? 0 : 1;
  } finally {
    await local.close();
  }
}

const code = await main().catch(async (error: unknown) => {
  await callback.fail({
    name: (error as Error).name || 'Error',
    message: (error as Error).message ?? String(error),
  });
  return 1;
});
await new Promise<void>((resolve) => answers.end(resolve));
process.exit(code);
