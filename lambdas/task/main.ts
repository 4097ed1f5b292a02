// The entry point of the task-runner container (an ECS Fargate task the state machine starts
// with the task token). Same handlers and AWS adapters as the step Lambdas; the answer goes
// back to Step Functions through SendTaskSuccess/SendTaskFailure.
import { SFNClient } from '@aws-sdk/client-sfn';
import { TaskEnv } from '../../infra/task-contract.ts';
import { pgCopyStreams } from '../adapters/pg-copy-streams.ts';
import { SfnTaskCallback } from '../adapters/sfn-task-callback.ts';
import { loadMigrations } from '../engine/loader/load.ts';
import { rollbackRun } from '../engine/rollback.ts';
import { loadRunSettings } from '../engine/run-settings.ts';
import { applyPlanStep } from '../engine/steps.ts';
import { awsDependencies } from '../handlers/aws/aws-dependencies.ts';
import { s3BackupStore } from '../handlers/aws/backup-port.ts';
import { secretsManagerDatabase } from '../handlers/aws/database-port.ts';
import { dynamoDbLease, executionLiveness } from '../handlers/aws/lease-port.ts';
import { sdkClientConfig } from '../handlers/aws/sdk-client-config.ts';
import { backupRun, dataRestorer } from '../handlers/backup-steps.ts';
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
  const callback = new SfnTaskCallback({ client: new SFNClient(sdkClientConfig()), taskToken: token });
  let parsed: ReturnType<typeof taskEventFrom>;
  try {
    parsed = taskEventFrom(process.env);
  } catch (error) {
    await callback.fail({ name: 'InputError', message: (error as Error).message });
    return 64;
  }
  // The ports of the three steps a task runs (Backup, Apply, Rollback), as their Lambdas have
  // them: none of them lints, so, like theirs, only the adopt section of stepmigrate.json.
  const deps = awsDependencies(process.env, {
    database: (env, name) => secretsManagerDatabase(env, name, pgCopyStreams),
    lease: dynamoDbLease,
    holders: executionLiveness,
    backupStore: s3BackupStore,
    migrations: loadMigrations,
    settings: loadRunSettings,
    steps: { applyPlanStep, backupRun, dataRestorer, rollbackRun },
  });
  const succeeded = await runTaskStep({ ...parsed, deps, callback });
  return succeeded ? 0 : 1;
}

process.exitCode = await main();
