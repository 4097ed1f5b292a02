// The one definition of the migration workflow (DESIGN §1.3). The MigrationWorkflow construct
// deploys it, and the local runner (cli/local-runner) synthesizes and executes this same
// definition, so both runners share every Retry, Catch, Choice and Map.
//
// State layout (JSONPath; small on purpose, Step Functions state is at most 256 KiB):
//   $.run       RunState from Validate (versions and plan, never SQL); with a database
//               snapshot configured, $.run.databaseSnapshot is its record (database-snapshot.ts)
//   $.backup    BackupSummary from Backup
//   $.applied   AppliedStep[] from the Apply Map
//   $.verify    { verified } from Verify
//   $.bake      { startedAt, checks, done, waitSeconds } from Bake
//   $.error     { Error, Cause } of the failure that sent the run to Rollback or Report
//   $.rollback  { rolledBack } from Rollback
//   $.rollbackError  { Error, Cause } when Rollback itself failed
// A Validate failure replaces the whole state with { Error, Cause }: there is no run yet.
// Report turns this into the RunOutput, which is the execution output.
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { type DatabaseSnapshotSettings, databaseSnapshotStates } from './database-snapshot.ts';
import { routeToRunner, type TaskRunnerStates, taskRunnerStates } from './task-routing.ts';
import type { TaskRunner } from './task-runner.ts';
import { StateName, type StepFunctionName } from './workflow-states.ts';

export interface LockRetryOptions {
  /** Attempts after the first one. */
  readonly maxAttempts: number;
  readonly intervalSeconds: number;
  readonly backoffRate: number;
}

export interface WorkflowDefinitionOptions {
  /**
   * How long Approval waits for SendTaskSuccess/SendTaskFailure.
   * @default Duration.hours(24)
   */
  readonly approvalTimeout?: Duration;
  /**
   * Retry of a migration that gave up waiting for a lock (LockTimeoutError).
   * @default { maxAttempts: 5, intervalSeconds: 5, backoffRate: 2 }
   */
  readonly lockRetry?: LockRetryOptions;
  /**
   * The long-running runner for work that may outlast one Lambda invocation.
   * @default - none: every step runs on Lambda
   */
  readonly taskRunner?: TaskRunner;
  /**
   * An RDS or Aurora snapshot taken by the state machine before Backup.
   * @default - none: the graph has no snapshot states
   */
  readonly databaseSnapshot?: DatabaseSnapshotSettings;
}

export const DEFAULT_LOCK_RETRY: LockRetryOptions = { maxAttempts: 5, intervalSeconds: 5, backoffRate: 2 };
export const DEFAULT_APPROVAL_TIMEOUT = Duration.hours(24);

// A Lambda runs at most 15 minutes. Without an explicit task timeout the local runner
// would give up on a task after 60 s.
const LAMBDA_TASK_TIMEOUT = sfn.Timeout.duration(Duration.minutes(15));

// Lambda service errors that mean the invocation did not run our code, so retrying is
// safe for every step, even one that is not idempotent. Deliberately not
// Lambda.ClientExecutionTimeoutException (or CDK's default `Lambda.*` retry, which includes
// it): the first invocation may still be running when it fires, and a second one would meet
// its advisory lock (Rollback would then end rollback_failed although the first succeeded).
export const LAMBDA_NOT_INVOKED_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/**
 * Step Functions raises this when a state's result does not fit in 256 KiB, and `States.ALL`
 * does not match it: without its own Catch the execution dies without Report, so no run
 * metrics are put and the lease stays held until it expires.
 */
export const DATA_LIMIT_EXCEEDED = 'States.DataLimitExceeded';

const executionId = sfn.JsonPath.stringAt('$$.Execution.Id');
const wholeState = sfn.JsonPath.objectAt('$');
const run = sfn.JsonPath.objectAt('$.run');
const executionInput = sfn.JsonPath.objectAt('$$.Execution.Input');

/** The Task states of the workflow, one per step (Apply is the Map around ApplyMigration). */
interface StepStates {
  validate: tasks.LambdaInvoke;
  approval: tasks.LambdaInvoke;
  backup: tasks.LambdaInvoke;
  apply: sfn.Map;
  verify: tasks.LambdaInvoke;
  bake: tasks.LambdaInvoke;
  rollback: tasks.LambdaInvoke;
  report: tasks.LambdaInvoke;
}

export function buildWorkflowDefinition(
  scope: Construct,
  functions: Record<StepFunctionName, lambda.IFunction>,
  options: WorkflowDefinitionOptions = {},
): sfn.IChainable {
  const onTask = options.taskRunner ? taskRunnerStates(scope, options.taskRunner) : undefined;
  const steps = {
    ...preparationStates(scope, functions, options),
    ...changeStates(scope, functions, options, onTask),
    ...closingStates(scope, functions),
  };
  assignRetries(steps);
  const backup = onTask ? routeToRunner(scope, 'backup', steps.backup, onTask.backup) : steps.backup;
  const entries: StepEntries = {
    // With a database snapshot, the run reaches Backup through the snapshot states.
    backup: options.databaseSnapshot
      ? databaseSnapshotStates(scope, options.databaseSnapshot, { backup, report: steps.report }).start
      : backup,
    rollback: onTask ? routeToRunner(scope, 'rollback', steps.rollback, onTask.rollback) : steps.rollback,
  };
  routeFailures(steps, entries, onTask);
  return chainSteps(scope, steps, entries, onTask);
}

/**
 * Where the workflow enters Backup and Rollback: the step, or the Choice of its runner (for
 * Backup, the database snapshot states in front of them when configured).
 */
interface StepEntries {
  backup: sfn.IChainable;
  rollback: sfn.IChainable;
}

function lambdaTask(
  scope: Construct,
  id: string,
  fn: lambda.IFunction,
  payload: Record<string, unknown>,
  props: Partial<tasks.LambdaInvokeProps> = {},
): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, id, {
    stateName: id,
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject(payload),
    taskTimeout: LAMBDA_TASK_TIMEOUT,
    ...props,
    // Never CDK's generic `Lambda.*` retry: see LAMBDA_NOT_INVOKED_ERRORS.
    retryOnServiceExceptions: false,
  });
  return task;
}

/** The one retry every step may have: invocations that never ran our code. */
function retryNotInvoked(task: tasks.LambdaInvoke): void {
  task.addRetry({
    errors: LAMBDA_NOT_INVOKED_ERRORS,
    maxAttempts: 6,
    interval: Duration.seconds(2),
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
}

/** Validate and Approval: nothing has changed yet. */
function preparationStates(
  scope: Construct,
  functions: Record<StepFunctionName, lambda.IFunction>,
  options: WorkflowDefinitionOptions,
): Pick<StepStates, 'validate' | 'approval'> {
  return {
    // No ResultPath: the result replaces the execution input (aws-local-stepfunctions reads
    // an explicit "$" as a key named "$").
    validate: lambdaTask(
      scope,
      StateName.validate,
      functions.validate,
      { executionId, input: executionInput },
      {
        resultSelector: { 'run.$': '$.Payload' },
      },
    ),
    approval: lambdaTask(
      scope,
      StateName.approval,
      functions.approval,
      {
        executionId,
        taskToken: sfn.JsonPath.taskToken,
        run,
      },
      {
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        taskTimeout: sfn.Timeout.duration(options.approvalTimeout ?? DEFAULT_APPROVAL_TIMEOUT),
        resultPath: sfn.JsonPath.DISCARD,
      },
    ),
  };
}

/** Backup, Apply, Verify and Bake: from here on a failure must be rolled back. */
function changeStates(
  scope: Construct,
  functions: Record<StepFunctionName, lambda.IFunction>,
  options: WorkflowDefinitionOptions,
  onTask: TaskRunnerStates | undefined,
): Pick<StepStates, 'backup' | 'apply' | 'verify' | 'bake'> {
  return {
    backup: lambdaTask(
      scope,
      StateName.backup,
      functions.backup,
      { executionId, run },
      {
        resultSelector: {
          'location.$': '$.Payload.location',
          'manifestKey.$': '$.Payload.manifestKey',
          'tables.$': '$.Payload.tables',
          'broughtBack.$': '$.Payload.broughtBack',
          'notBroughtBack.$': '$.Payload.notBroughtBack',
        },
        resultPath: '$.backup',
      },
    ),
    apply: buildApplyMap(scope, functions.apply, options.lockRetry ?? DEFAULT_LOCK_RETRY, onTask?.apply),
    verify: lambdaTask(
      scope,
      StateName.verify,
      functions.verify,
      { executionId, run },
      {
        resultSelector: { 'verified.$': '$.Payload.verified' },
        resultPath: '$.verify',
      },
    ),
    bake: lambdaTask(
      scope,
      StateName.bake,
      functions.bake,
      { executionId, state: wholeState },
      {
        resultSelector: {
          'startedAt.$': '$.Payload.startedAt',
          'checks.$': '$.Payload.checks',
          'done.$': '$.Payload.done',
          'waitSeconds.$': '$.Payload.waitSeconds',
        },
        resultPath: '$.bake',
      },
    ),
  };
}

/** Rollback and Report. Report's result is the execution output. */
function closingStates(
  scope: Construct,
  functions: Record<StepFunctionName, lambda.IFunction>,
): Pick<StepStates, 'rollback' | 'report'> {
  return {
    rollback: lambdaTask(
      scope,
      StateName.rollback,
      functions.rollback,
      { executionId, state: wholeState },
      {
        resultSelector: { 'rolledBack.$': '$.Payload.rolledBack' },
        resultPath: '$.rollback',
      },
    ),
    report: lambdaTask(
      scope,
      StateName.report,
      functions.report,
      {
        executionId,
        state: wholeState,
        executionInput,
      },
      { outputPath: '$.Payload' },
    ),
  };
}

/**
 * Retry policy, safe by construction: no step is retried after an invocation that may have
 * run (ApplyMigration adds its lock-timeout retry in buildApplyMap), and Approval is never
 * retried at all, because a second invocation would publish a second task token.
 */
function assignRetries(steps: StepStates): void {
  const { validate, backup, verify, bake, rollback, report } = steps;
  for (const step of [validate, backup, verify, bake, rollback, report]) retryNotInvoked(step);
}

/** A state that can catch: a Lambda task, the Apply map, or a task-runner state. */
type Catching = Pick<sfn.TaskStateBase, 'addCatch'> | Pick<sfn.Map, 'addCatch'>;

/** Adds `errors` as one Catch, after a Catch of States.DataLimitExceeded to the same place. */
function catchAll(step: Catching, next: sfn.IChainable, resultPath?: string): void {
  step.addCatch(next, { errors: [DATA_LIMIT_EXCEEDED], resultPath });
  step.addCatch(next, { errors: [sfn.Errors.ALL], resultPath });
}

function routeFailures(steps: StepStates, entries: StepEntries, onTask: TaskRunnerStates | undefined): void {
  const { validate, approval, backup, apply, verify, bake, rollback, report } = steps;
  // Anything from Backup on may have changed the database: every failure goes to Rollback.
  for (const step of [backup, apply, verify, bake, ...(onTask ? [onTask.backup] : [])])
    catchAll(step, entries.rollback, '$.error');
  for (const step of [rollback, ...(onTask ? [onTask.rollback] : [])])
    catchAll(step, report, '$.rollbackError');
  // Before Backup nothing has changed: report and fail.
  catchAll(validate, report);
  catchAll(approval, report, '$.error');
}

function choice(scope: Construct, name: string): sfn.Choice {
  return new sfn.Choice(scope, name, { stateName: name });
}

/** The happy path and its branches: the Choices, the bake loop, and the two end states. */
function chainSteps(
  scope: Construct,
  steps: StepStates,
  entries: StepEntries,
  onTask: TaskRunnerStates | undefined,
): sfn.IChainable {
  const { validate, approval, backup, apply, verify, bake, rollback, report } = steps;
  const succeeded = new sfn.Succeed(scope, StateName.succeeded, { stateName: StateName.succeeded });
  const failed = new sfn.Fail(scope, StateName.failed, {
    stateName: StateName.failed,
    errorPath: '$.error.name',
    causePath: '$.error.message',
  });
  const finished = ['succeeded', 'noop', 'dry_run'].map((status) =>
    sfn.Condition.stringEquals('$.status', status),
  );
  report.next(
    choice(scope, StateName.outcome)
      .when(sfn.Condition.or(...finished), succeeded)
      .otherwise(failed),
  );
  rollback.next(report);
  onTask?.rollback.next(report);

  const bakeWait = new sfn.Wait(scope, StateName.bakeWait, {
    stateName: StateName.bakeWait,
    time: sfn.WaitTime.secondsPath('$.bake.waitSeconds'),
  });
  bake.next(
    choice(scope, StateName.bakeDone)
      .when(sfn.Condition.booleanEquals('$.bake.done', true), report)
      .otherwise(bakeWait.next(bake)),
  );
  const needsBake = choice(scope, StateName.needsBake)
    .when(sfn.Condition.numberGreaterThan('$.run.input.bakeSeconds', 0), bake)
    .otherwise(report);
  backup.next(apply).next(verify).next(needsBake);
  onTask?.backup.next(apply);

  const needsApproval = choice(scope, StateName.needsApproval)
    .when(sfn.Condition.booleanEquals('$.run.input.requireApproval', true), approval.next(entries.backup))
    .otherwise(entries.backup);
  const hasChanges = choice(scope, StateName.hasChanges)
    .when(sfn.Condition.stringEquals('$.run.status', 'pending'), needsApproval)
    .otherwise(report);
  return validate.next(hasChanges);
}

/** Apply: one migration per invocation, strictly in plan order. */
function buildApplyMap(
  scope: Construct,
  fn: lambda.IFunction,
  lockRetry: LockRetryOptions,
  onTask: tasks.EcsRunTask | undefined,
): sfn.Map {
  const applyMigration = lambdaTask(
    scope,
    StateName.applyMigration,
    fn,
    { executionId, run, step: sfn.JsonPath.objectAt('$.step') },
    {
      resultSelector: {
        'version.$': '$.Payload.version',
        'direction.$': '$.Payload.direction',
        'durationMs.$': '$.Payload.durationMs',
        'alreadyDone.$': '$.Payload.alreadyDone',
      },
    },
  );
  for (const state of [applyMigration, ...(onTask ? [onTask] : [])]) {
    state.addRetry({
      errors: ['LockTimeoutError'],
      maxAttempts: lockRetry.maxAttempts,
      interval: Duration.seconds(lockRetry.intervalSeconds),
      backoffRate: lockRetry.backoffRate,
      maxDelay: Duration.minutes(5),
      jitterStrategy: sfn.JitterType.FULL,
    });
  }
  retryNotInvoked(applyMigration);

  return new sfn.Map(scope, StateName.apply, {
    stateName: StateName.apply,
    itemsPath: '$.run.plan.steps',
    maxConcurrency: 1,
    itemSelector: {
      'run.$': '$.run',
      'step.$': '$$.Map.Item.Value',
    },
    resultPath: '$.applied',
  }).itemProcessor(onTask ? routeToRunner(scope, 'apply', applyMigration, onTask) : applyMigration);
}
