// The state machine's routing to the task runner: a Choice in front of Backup, ApplyMigration
// and Rollback sends the work to its task-runner twin when Validate chose the task for it
// (lambdas/engine/runner-choice.ts); an ApplyMigration or Backup that reached its Lambda
// deadline (DeadlineReachedError: cancelled with nothing half-done) is handed to the twin too.
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { TaskRunnerStep } from './task-contract.ts';
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

/**
 * Per step: its Choice, where Validate's runner for it is read, and whether a Lambda run that
 * reached its deadline is handed to the task (Backup and ApplyMigration; Rollback is not).
 */
const ROUTES: Readonly<Record<TaskRunnerStep, { choice: string; runner: string; handOver: boolean }>> = {
  backup: { choice: StateName.backupRunner, runner: '$.run.plan.runners.backup', handOver: true },
  // The Map item: one migration.
  apply: { choice: StateName.applyRunner, runner: '$.step.runner', handOver: true },
  rollback: { choice: StateName.rollbackRunner, runner: '$.run.plan.runners.rollback', handOver: false },
};

/** `step` on Lambda or on the task, by Validate's choice; a Backup or Apply out of time moves to the task. */
export function routeToRunner(
  scope: Construct,
  step: TaskRunnerStep,
  onLambda: tasks.LambdaInvoke,
  onTask: tasks.EcsRunTask,
): sfn.Choice {
  const route = ROUTES[step];
  if (route.handOver)
    onLambda.addCatch(onTask, { errors: [DEADLINE_REACHED_ERROR], resultPath: '$.handedOver' });
  return new sfn.Choice(scope, route.choice, { stateName: route.choice })
    .when(isTask(route.runner), onTask)
    .otherwise(onLambda);
}
