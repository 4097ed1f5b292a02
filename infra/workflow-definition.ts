// The one definition of the migration workflow (DESIGN §1.3). The MigrationWorkflow construct
// deploys it, and the local runner (cli/local-runner) synthesizes and executes this same
// definition, so both runners share every Retry, Catch, Choice and Map.
//
// State layout (JSONPath; small on purpose, Step Functions state is at most 256 KiB):
//   $.run       RunState from Validate (versions and plan, never SQL)
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
import { StateName, type StepFunctionName } from './workflow-states.ts';

export {
  STEP_FUNCTION_NAMES,
  StateName,
  type StepFunctionName,
  TASK_STATE_STEPS,
} from './workflow-states.ts';

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
}

export const DEFAULT_LOCK_RETRY: LockRetryOptions = { maxAttempts: 5, intervalSeconds: 5, backoffRate: 2 };
export const DEFAULT_APPROVAL_TIMEOUT = Duration.hours(24);

// A Lambda runs at most 15 minutes. Without an explicit task timeout the local runner
// would give up on a task after 60 s.
const LAMBDA_TASK_TIMEOUT = sfn.Timeout.duration(Duration.minutes(15));

// Lambda service errors that mean the invocation did not run our code, so retrying is
// safe even for Apply. Deliberately not Lambda.ClientExecutionTimeoutException: the
// first invocation may still be applying a migration when it fires.
const LAMBDA_NOT_INVOKED_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

const executionId = sfn.JsonPath.stringAt('$$.Execution.Id');
const wholeState = sfn.JsonPath.objectAt('$');
const run = sfn.JsonPath.objectAt('$.run');

export function buildWorkflowDefinition(
  scope: Construct,
  functions: Record<StepFunctionName, lambda.IFunction>,
  options: WorkflowDefinitionOptions = {},
): sfn.IChainable {
  const invoke = (
    id: string,
    fn: lambda.IFunction,
    payload: Record<string, unknown>,
    extra: Partial<tasks.LambdaInvokeProps> = {},
  ) =>
    new tasks.LambdaInvoke(scope, id, {
      stateName: id,
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject(payload),
      taskTimeout: LAMBDA_TASK_TIMEOUT,
      ...extra,
    });

  const validate = invoke(
    StateName.validate,
    functions.validate,
    { executionId, input: sfn.JsonPath.objectAt('$$.Execution.Input') },
    // No ResultPath: the result replaces the execution input (aws-local-stepfunctions
    // reads an explicit "$" as a key named "$").
    { resultSelector: { 'run.$': '$.Payload' } },
  );

  const approval = invoke(
    StateName.approval,
    functions.approval,
    { executionId, taskToken: sfn.JsonPath.taskToken, run },
    {
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      taskTimeout: sfn.Timeout.duration(options.approvalTimeout ?? DEFAULT_APPROVAL_TIMEOUT),
      resultPath: sfn.JsonPath.DISCARD,
    },
  );

  const backup = invoke(
    StateName.backup,
    functions.backup,
    { executionId, run },
    {
      resultSelector: {
        'location.$': '$.Payload.location',
        'manifestKey.$': '$.Payload.manifestKey',
        'tables.$': '$.Payload.tables',
      },
      resultPath: '$.backup',
    },
  );

  const apply = buildApplyMap(scope, functions.apply, options.lockRetry ?? DEFAULT_LOCK_RETRY);

  const verify = invoke(
    StateName.verify,
    functions.verify,
    { executionId, run },
    { resultSelector: { 'verified.$': '$.Payload.verified' }, resultPath: '$.verify' },
  );

  const bake = invoke(
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
  );
  const bakeWait = new sfn.Wait(scope, StateName.bakeWait, {
    stateName: StateName.bakeWait,
    time: sfn.WaitTime.secondsPath('$.bake.waitSeconds'),
  });

  const rollback = invoke(
    StateName.rollback,
    functions.rollback,
    { executionId, state: wholeState },
    { resultSelector: { 'rolledBack.$': '$.Payload.rolledBack' }, resultPath: '$.rollback' },
  );

  const report = invoke(
    StateName.report,
    functions.report,
    { executionId, state: wholeState, executionInput: sfn.JsonPath.objectAt('$$.Execution.Input') },
    { outputPath: '$.Payload' },
  );

  const succeeded = new sfn.Succeed(scope, StateName.succeeded, { stateName: StateName.succeeded });
  const failed = new sfn.Fail(scope, StateName.failed, {
    stateName: StateName.failed,
    errorPath: '$.error.name',
    causePath: '$.error.message',
  });

  // Anything from Backup on may have changed the database: every failure goes to Rollback.
  const toRollback: sfn.CatchProps = { errors: [sfn.Errors.ALL], resultPath: '$.error' };
  backup.addCatch(rollback, toRollback);
  apply.addCatch(rollback, toRollback);
  verify.addCatch(rollback, toRollback);
  bake.addCatch(rollback, toRollback);
  rollback.addCatch(report, { errors: [sfn.Errors.ALL], resultPath: '$.rollbackError' });
  // Before Backup nothing has changed: report and fail.
  validate.addCatch(report, { errors: [sfn.Errors.ALL] });
  approval.addCatch(report, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

  const outcome = new sfn.Choice(scope, StateName.outcome, { stateName: StateName.outcome })
    .when(
      sfn.Condition.or(
        sfn.Condition.stringEquals('$.status', 'succeeded'),
        sfn.Condition.stringEquals('$.status', 'noop'),
        sfn.Condition.stringEquals('$.status', 'dry_run'),
      ),
      succeeded,
    )
    .otherwise(failed);
  report.next(outcome);
  rollback.next(report);

  const bakeDone = new sfn.Choice(scope, StateName.bakeDone, { stateName: StateName.bakeDone })
    .when(sfn.Condition.booleanEquals('$.bake.done', true), report)
    .otherwise(bakeWait.next(bake));
  bake.next(bakeDone);

  const needsBake = new sfn.Choice(scope, StateName.needsBake, { stateName: StateName.needsBake })
    .when(sfn.Condition.numberGreaterThan('$.run.input.bakeSeconds', 0), bake)
    .otherwise(report);

  backup.next(apply).next(verify).next(needsBake);

  const needsApproval = new sfn.Choice(scope, StateName.needsApproval, { stateName: StateName.needsApproval })
    .when(sfn.Condition.booleanEquals('$.run.input.requireApproval', true), approval.next(backup))
    .otherwise(backup);

  const hasChanges = new sfn.Choice(scope, StateName.hasChanges, { stateName: StateName.hasChanges })
    .when(sfn.Condition.stringEquals('$.run.status', 'pending'), needsApproval)
    .otherwise(report);

  return validate.next(hasChanges);
}

/** Apply: one migration per invocation, strictly in plan order. */
function buildApplyMap(scope: Construct, fn: lambda.IFunction, lockRetry: LockRetryOptions): sfn.Map {
  const applyMigration = new tasks.LambdaInvoke(scope, StateName.applyMigration, {
    stateName: StateName.applyMigration,
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject({
      executionId,
      run,
      step: sfn.JsonPath.objectAt('$.step'),
    }),
    taskTimeout: LAMBDA_TASK_TIMEOUT,
    // The generic Lambda.* retry would also retry ClientExecutionTimeoutException, which can
    // run a migration twice; the narrower list below only retries invocations that never ran.
    retryOnServiceExceptions: false,
    resultSelector: {
      'version.$': '$.Payload.version',
      'direction.$': '$.Payload.direction',
      'durationMs.$': '$.Payload.durationMs',
      'alreadyDone.$': '$.Payload.alreadyDone',
    },
  });
  applyMigration.addRetry({
    errors: ['LockTimeoutError'],
    maxAttempts: lockRetry.maxAttempts,
    interval: Duration.seconds(lockRetry.intervalSeconds),
    backoffRate: lockRetry.backoffRate,
    maxDelay: Duration.minutes(5),
    jitterStrategy: sfn.JitterType.FULL,
  });
  applyMigration.addRetry({
    errors: LAMBDA_NOT_INVOKED_ERRORS,
    maxAttempts: 6,
    interval: Duration.seconds(2),
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });

  return new sfn.Map(scope, StateName.apply, {
    stateName: StateName.apply,
    itemsPath: '$.run.plan.steps',
    maxConcurrency: 1,
    itemSelector: {
      'run.$': '$.run',
      'step.$': '$$.Map.Item.Value',
    },
    resultPath: '$.applied',
  }).itemProcessor(applyMigration);
}
