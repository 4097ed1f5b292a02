// What the state machine hands a task-runner container: the container environment variables
// the workflow definition sets on RunTask, read back by lambdas/task/. Kept apart from CDK
// (like workflow-states.ts) so the container and the local runner can read it.
import { StateName, type StepFunctionName } from './workflow-states.ts';

/** The steps whose work can run on the task runner. */
export const TASK_RUNNER_STEPS = [
  'backup',
  'apply',
  'rollback',
] as const satisfies readonly StepFunctionName[];
export type TaskRunnerStep = (typeof TASK_RUNNER_STEPS)[number];

export const TaskEnv = {
  /** Which step's handler the container runs. */
  step: 'STEPMIGRATE_STEP',
  /** The task token: the container answers with SendTaskSuccess/Failure and sends heartbeats. */
  taskToken: 'STEPMIGRATE_TASK_TOKEN',
  executionId: 'STEPMIGRATE_EXECUTION_ID',
  /** `STEPMIGRATE_EVENT_<FIELD>`: one JSON field of the step's event (RUN, STEP, STATE). */
  eventFieldPrefix: 'STEPMIGRATE_EVENT_',
} as const;

/** The event fields each step's container receives, and where in the state they come from. */
export const TASK_EVENT_FIELDS: Readonly<Record<TaskRunnerStep, Readonly<Record<string, string>>>> = {
  backup: { run: '$.run' },
  apply: { run: '$.run', step: '$.step' },
  rollback: { state: '$' },
};

/** How often a running task tells Step Functions it is alive; the state's HeartbeatSeconds is larger. */
export const TASK_HEARTBEAT_MS = 60_000;

/** The Task states that run a step on the task runner; the local runner binds them by name. */
export const TASK_RUNNER_STATES: Readonly<Record<string, TaskRunnerStep>> = {
  [StateName.backupOnTask]: 'backup',
  [StateName.applyMigrationOnTask]: 'apply',
  [StateName.rollbackOnTask]: 'rollback',
};
