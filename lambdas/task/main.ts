// The entry point of the task-runner container (an ECS Fargate task the state machine starts
// with the task token). Same handlers and AWS adapters as the step Lambdas; the answer goes
// back to Step Functions through SendTaskSuccess/SendTaskFailure.
import { SFNClient } from '@aws-sdk/client-sfn';
import { TaskEnv } from '../../infra/task-contract.ts';
import { SfnTaskCallback } from '../adapters/sfn-task-callback.ts';
import { awsDependencies } from '../handlers/dependencies.ts';
import { runTaskStep } from './run-task-step.ts';
import { taskEventFrom } from './task-event.ts';

async function main(): Promise<number> {
  const token = process.env[TaskEnv.taskToken];
  if (!token) {
    console.error(
      `${TaskEnv.taskToken} is not set: this container is started by the stepmigrate state machine`,
    );
    return 64;
  }
  const callback = new SfnTaskCallback({ client: new SFNClient({}), taskToken: token });
  let parsed: ReturnType<typeof taskEventFrom>;
  try {
    parsed = taskEventFrom(process.env);
  } catch (error) {
    await callback.fail({ name: 'InputError', message: (error as Error).message });
    return 64;
  }
  const deps = awsDependencies(process.env);
  const succeeded = await runTaskStep({ ...parsed, deps, callback });
  return succeeded ? 0 : 1;
}

process.exitCode = await main();
