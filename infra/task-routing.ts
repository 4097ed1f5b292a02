// The state machine's routing to the task runner: a Choice in front of Backup, ApplyMigration
// and Rollback sends the work to its task-runner twin when Validate chose the task for it
// (lambdas/engine/runner-choice.ts); an ApplyMigration or Backup that reached its Lambda
// deadline (DeadlineReachedError: cancelled with nothing half-done) is handed to the twin too.
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { TaskRunner } from './task-runner.ts';
import { StateName } from './workflow-states.ts';

/** The error a step throws when its Lambda deadline cancelled it cleanly. */
export const DEADLINE_REACHED_ERROR = 'DeadlineReachedError';

/** RunTask could not place the task (no Fargate capacity, throttling): nothing ran, so retry. */
const TASK_NOT_STARTED_ERRORS = ['ECS.AmazonECSException'];

export interface TaskRunnerStates {
  backup: tasks.EcsRunTask;
  apply: tasks.EcsRunTask;
  rollback: tasks.EcsRunTask;
}

function isTask(path: string): sfn.Condition {
  return sfn.Condition.and(sfn.Condition.isPresent(path), sfn.Condition.stringEquals(path, 'task'));
}

export function taskRunnerStates(scope: Construct, runner: TaskRunner): TaskRunnerStates {
  const states: TaskRunnerStates = {
    backup: runner.runTaskState(scope, StateName.backupOnTask, 'backup', {
      resultSelector: {
        'location.$': '$.location',
        'manifestKey.$': '$.manifestKey',
        'tables.$': '$.tables',
        'broughtBack.$': '$.broughtBack',
        'notBroughtBack.$': '$.notBroughtBack',
      },
      resultPath: '$.backup',
    }),
    apply: runner.runTaskState(scope, StateName.applyMigrationOnTask, 'apply', {
      resultSelector: {
        'version.$': '$.version',
        'direction.$': '$.direction',
        'durationMs.$': '$.durationMs',
        'alreadyDone.$': '$.alreadyDone',
      },
    }),
    rollback: runner.runTaskState(scope, StateName.rollbackOnTask, 'rollback', {
      resultSelector: { 'rolledBack.$': '$.rolledBack' },
      resultPath: '$.rollback',
    }),
  };
  for (const state of Object.values(states)) {
    state.addRetry({
      errors: TASK_NOT_STARTED_ERRORS,
      maxAttempts: 3,
      interval: Duration.seconds(10),
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });
  }
  return states;
}

/** Backup on Lambda or on the task, by Validate's choice; a Backup out of time moves to the task. */
export function routeBackup(
  scope: Construct,
  backup: tasks.LambdaInvoke,
  onTask: tasks.EcsRunTask,
): sfn.Choice {
  backup.addCatch(onTask, { errors: [DEADLINE_REACHED_ERROR], resultPath: '$.handedOver' });
  return new sfn.Choice(scope, StateName.backupRunner, { stateName: StateName.backupRunner })
    .when(isTask('$.run.plan.runners.backup'), onTask)
    .otherwise(backup);
}

/** The Map item: one migration on Lambda or on the task; an Apply out of time moves to the task. */
export function routeApply(
  scope: Construct,
  applyMigration: tasks.LambdaInvoke,
  onTask: tasks.EcsRunTask,
): sfn.Choice {
  applyMigration.addCatch(onTask, { errors: [DEADLINE_REACHED_ERROR], resultPath: '$.handedOver' });
  return new sfn.Choice(scope, StateName.applyRunner, { stateName: StateName.applyRunner })
    .when(isTask('$.step.runner'), onTask)
    .otherwise(applyMigration);
}

export function routeRollback(
  scope: Construct,
  rollback: tasks.LambdaInvoke,
  onTask: tasks.EcsRunTask,
): sfn.Choice {
  return new sfn.Choice(scope, StateName.rollbackRunner, { stateName: StateName.rollbackRunner })
    .when(isTask('$.run.plan.runners.rollback'), onTask)
    .otherwise(rollback);
}
