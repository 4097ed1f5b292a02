// MigrationWorkflow: everything stepmigrate needs in an AWS account to migrate one
// PostgreSQL database — one Lambda per step with only the permissions that step needs, the
// Step Functions state machine that chains them, the backup bucket, the audit and lease
// tables, the alarms and the notification topic (DESIGN §1.3, §1.4).
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ArnFormat, Aws, Duration, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as codepipelineActions from 'aws-cdk-lib/aws-codepipeline-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { AUDIT_EXECUTION_INDEX } from '../lambdas/adapters/dynamodb-schema.ts';
import type { MetricName, StepName } from '../lambdas/ports.ts';
import { backupAccessStatements } from './backup-access.ts';
import { BackupBucket } from './backup-bucket.ts';
import { BUNDLED_MIGRATIONS_DIR, DEFAULT_HANDLERS_DIRECTORY } from './bundling.ts';
import { capitalize } from './capitalize.ts';
import {
  acknowledgeDatabaseSnapshotGrants,
  type DatabaseSnapshotOptions,
  type DatabaseSnapshotSettings,
  validateDatabaseSnapshot,
} from './database-snapshot.ts';
import { nagResourceText } from './nag-resource-text.ts';
import { MigrationNotifications } from './notifications.ts';
import { type PipelineActionOptions, pipelineAction } from './pipeline-action.ts';
import { secretReadStatements } from './secret-read.ts';
import { alarmArns, StepLambda } from './step-lambda.ts';
import { STEP_NEEDS } from './step-needs.ts';
import { TASK_RUNNER_STEPS, type TaskRunnerStep } from './task-contract.ts';
import { TaskRunner, type TaskRunnerOptions } from './task-runner.ts';
import { runnerEnvironment } from './task-runner-environment.ts';
import {
  buildWorkflowDefinition,
  DEFAULT_APPROVAL_TIMEOUT,
  type WorkflowDefinitionOptions,
} from './workflow-definition.ts';
import { METRICS_NAMESPACE, stepMigrateMetric } from './workflow-metrics.ts';
import { STEP_FUNCTION_NAMES, type StepFunctionName } from './workflow-states.ts';
import { createAuditTable, createLeaseTable } from './workflow-tables.ts';

export interface MigrationWorkflowProps {
  /** Directory of the migrations to deploy; it is copied into every step's bundle. */
  readonly migrationsDirectory: string;
  /**
   * Credentials of the target database in Secrets Manager: either the RDS format (`host`,
   * `port`, `username`, `password`, `dbname`), e.g. `DatabaseInstance.secret`, or the
   * RDS-managed master user secret (`ManageMasterUserPassword`), which holds only `username`
   * and `password`; then give `databaseEndpoint` too.
   */
  readonly databaseSecret: secretsmanager.ISecret;
  /**
   * KMS key the secret is encrypted with, when it is a customer-managed key and the secret is
   * imported (a secret created in the app brings its own `encryptionKey`). The database steps
   * get `kms:Decrypt` on it, through Secrets Manager only.
   * @default - the secret's own `encryptionKey`, else the AWS-managed key (no grant needed)
   */
  readonly databaseSecretKey?: kms.IKey;
  /**
   * Where the database is, for a secret that does not say (the RDS-managed master user
   * secret). Given to the database steps as STEPMIGRATE_DB_HOST, STEPMIGRATE_DB_PORT and
   * STEPMIGRATE_DB_NAME.
   * @default - the secret's `host`, `port` and `dbname`
   */
  readonly databaseEndpoint?: DatabaseEndpoint;
  /** The VPC from which the database is reachable; the database steps run in it. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets for the database steps. They must reach the database and, through a NAT gateway
   * or VPC endpoints (`vpcEndpoints`), Secrets Manager, S3, DynamoDB, CloudWatch, SNS and
   * Step Functions.
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Create the VPC endpoints the database steps need: gateway endpoints for S3 and DynamoDB
   * on the route tables of `vpcSubnets`, and interface endpoints (private DNS, reachable only
   * from the steps' security groups) for Secrets Manager, CloudWatch, SNS and Step Functions
   * in `vpcSubnets` (give one subnet per Availability Zone). Needed when those subnets have
   * no NAT gateway.
   *
   * Off by default because the construct does not own the VPC: a VPC that already has an
   * endpoint for one of these services (with private DNS) would fail to deploy, and interface
   * endpoints cost money per hour and Availability Zone.
   * @default false - the subnets must reach the AWS APIs on their own (NAT or endpoints)
   */
  readonly vpcEndpoints?: boolean;
  /**
   * Security groups of the database steps.
   * @default - one new security group with outbound access only; allow it into the database
   *   with `database.connections.allowDefaultPortFrom(workflow)`
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** Display name of the target database: metric dimension, audit partition, messages. */
  readonly databaseName: string;
  /**
   * Bucket for table backups. Only the Backup step may write to it.
   * @default - a new encrypted, versioned, TLS-only bucket with access logging
   */
  readonly backupBucket?: s3.IBucket;
  /**
   * KMS key for a new backup bucket (ignored when `backupBucket` is given; an imported bucket's
   * key is taken from the bucket).
   * @default - S3-managed encryption (SSE-S3)
   */
  readonly backupEncryptionKey?: kms.IKey;
  /**
   * Key prefix of the backups in the bucket.
   * @default 'backups/'
   */
  readonly backupPrefix?: string;
  /**
   * Days a backup (and every noncurrent version of it) is kept in a new bucket.
   * @default 30
   */
  readonly backupRetentionDays?: number;
  /**
   * Removal policy of a new backup bucket and its access-log bucket.
   * @default RemovalPolicy.RETAIN
   */
  readonly backupBucketRemovalPolicy?: RemovalPolicy;
  /**
   * Audit table; must have the key design of lambdas/adapters/dynamodb-schema.ts.
   * @default - a new table with point-in-time recovery and deletion protection
   */
  readonly auditTable?: dynamodb.ITable;
  /**
   * Removal policy of a new audit table (deletion protection is on while it is RETAIN).
   * @default RemovalPolicy.RETAIN
   */
  readonly auditTableRemovalPolicy?: RemovalPolicy;
  /**
   * Address that receives alarms, failure messages and approval requests.
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * `lock_timeout` of each migration statement unless the execution input sets one.
   * @default 3000
   */
  readonly lockTimeoutMs?: number;
  /**
   * `statement_timeout` of each migration statement unless the execution input sets one.
   * @default 900000
   */
  readonly statementTimeoutMs?: number;
  /**
   * CloudWatch alarms the Bake step watches after Verify; one in ALARM fails the run.
   * @default - none; Bake only waits
   */
  readonly bakeAlarmNames?: string[];
  /**
   * Schema in the target database that holds `schema_history`.
   * @default 'stepmigrate'
   */
  readonly historySchema?: string;
  /**
   * How long an Approval step waits for an answer before the run fails. A run that waits for
   * approval takes its lease for `leaseTtl` plus this long, so it cannot lapse while waiting.
   * @default - the workflow definition's default (24 hours)
   */
  readonly approvalTimeout?: Duration;
  /**
   * How long a run's lease lasts without renewal (every database step renews it). A run whose
   * holder died blocks the next run for at most this long (plus `approvalTimeout` when it
   * waited for approval).
   * @default Duration.minutes(30)
   */
  readonly leaseTtl?: Duration;
  /**
   * How the state machine retries a migration that gave up waiting for a lock.
   * @default - the workflow definition's default
   */
  readonly lockRetry?: WorkflowDefinitionOptions['lockRetry'];
  /**
   * Longest an execution may run, approval wait included; it then ends TIMED_OUT and alarms.
   * @default - the approval timeout plus 6 hours (30 hours with the default approval timeout)
   */
  readonly executionTimeout?: Duration;
  /**
   * Retention of the state machine's and the Lambdas' log groups.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Directory with one `<step>.ts` handler per step.
   * @default - the handlers shipped with stepmigrate
   */
  readonly handlersDirectory?: string;
  /**
   * Lambda runtime of every function. The bundles are built for Node.js 22 and later; when
   * AWS deprecates the default, move to the next Node.js LTS runtime (docs/aws.md).
   * @default lambda.Runtime.NODEJS_22_X
   */
  readonly runtime?: lambda.Runtime;
  /**
   * The long-running runner (ECS Fargate) for work that may outlast one 15-minute Lambda
   * invocation: long migrations, large backups and restores. Deploying it builds a container
   * image, which needs Docker; `false` deploys without it, and Validate then refuses runs
   * that need it (RunnerLimitError).
   * @default - a task runner with a 6-hour limit per task
   */
  readonly taskRunner?: TaskRunnerOptions | false;
  /**
   * Take an RDS DB snapshot (`{ dbInstanceIdentifier }`) or an Aurora cluster snapshot
   * (`{ dbClusterIdentifier }`) of the whole database before each run's table backup, and wait
   * until it is available; a snapshot that fails fails the run before anything changes
   * (DatabaseSnapshotError). The state machine calls RDS itself (AWS SDK integration), with
   * permissions on this instance or cluster and `stepmigrate-*` snapshots only. Snapshots are
   * kept: nothing deletes them (docs/operations.md, "Restoring from the database snapshot").
   * @default - no snapshot: the table backup is the only backup
   */
  readonly databaseSnapshot?: DatabaseSnapshotOptions;
}

/** Host, port and database name of the target database, for secrets that hold only credentials. */
export interface DatabaseEndpoint {
  /** e.g. `instance.dbInstanceEndpointAddress` */
  readonly host: string;
  /**
   * e.g. `instance.dbInstanceEndpointPort`
   * @default '5432'
   */
  readonly port?: string;
  /** The PostgreSQL database to connect to. */
  readonly dbname: string;
}

/** The AWS APIs the database steps call from inside the VPC, as interface endpoints. */
const INTERFACE_ENDPOINT_SERVICES: Readonly<Record<string, ec2.InterfaceVpcEndpointAwsService>> = {
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  CloudWatch: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  Sns: ec2.InterfaceVpcEndpointAwsService.SNS,
  StepFunctions: ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS,
};

/** One migration workflow for one database. */
export class MigrationWorkflow extends Construct implements ec2.IConnectable {
  readonly stateMachine: sfn.StateMachine;
  readonly functions: Readonly<Record<StepFunctionName, lambda.Function>>;
  readonly backupBucket: s3.IBucket;
  readonly backupPrefix: string;
  readonly auditTable: dynamodb.ITable;
  readonly leaseTable: dynamodb.Table;
  readonly topic: sns.Topic;
  readonly notifications: MigrationNotifications;
  /** Execution history of the state machine (level ALL, without execution data). */
  readonly logGroup: logs.LogGroup;
  /** The database steps' network identity: allow it into the database. */
  readonly connections: ec2.Connections;
  readonly databaseName: string;
  /** The VPC endpoints created for the database steps (`vpcEndpoints: true`), by service. */
  readonly vpcEndpoints: Readonly<Record<string, ec2.IVpcEndpoint>>;
  /** The long-running runner; undefined when deployed with `taskRunner: false`. */
  readonly taskRunner?: TaskRunner;

  private readonly steps: Record<StepFunctionName, StepLambda>;
  private readonly environments = {} as Record<StepFunctionName, Record<string, string>>;

  constructor(scope: Construct, id: string, props: MigrationWorkflowProps) {
    super(scope, id);
    const settings = validateProps(props);
    this.databaseName = props.databaseName;
    this.backupPrefix = settings.backupPrefix;

    this.backupBucket =
      props.backupBucket ??
      new BackupBucket(this, 'BackupBucket', {
        retentionDays: settings.backupRetentionDays,
        removalPolicy: props.backupBucketRemovalPolicy ?? RemovalPolicy.RETAIN,
        encryptionKey: props.backupEncryptionKey,
      }).bucket;
    this.auditTable =
      props.auditTable ??
      createAuditTable(this, 'AuditTable', props.auditTableRemovalPolicy ?? RemovalPolicy.RETAIN);
    this.leaseTable = createLeaseTable(this, 'LeaseTable');

    const securityGroups = props.securityGroups ?? [
      new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc,
        description: `stepmigrate database steps for ${props.databaseName}`,
        allowAllOutbound: true,
      }),
    ];
    this.connections = new ec2.Connections({ securityGroups });
    this.vpcEndpoints = props.vpcEndpoints ? this.createVpcEndpoints(props) : {};

    this.logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      // Under /aws/vendedlogs/ CloudWatch Logs does not add a resource policy statement per
      // log group for the log delivery, so many state machines never hit its 5120-byte limit.
      // The stack's own id ends the name: a retained log group with a fixed name would make
      // the stack fail to deploy again after `cdk destroy` ("already exists").
      logGroupName: Fn.join('', [
        '/aws/vendedlogs/states/stepmigrate-',
        props.databaseName,
        '-',
        Fn.select(2, Fn.split('/', Aws.STACK_ID)),
      ]),
      retention: settings.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.steps = this.createSteps(props, settings, securityGroups);
    if (props.taskRunner !== false) {
      this.taskRunner = new TaskRunner(this, 'TaskRunner', {
        ...props.taskRunner,
        vpc: props.vpc,
        vpcSubnets: props.vpcSubnets,
        securityGroups,
        migrationsDirectory: settings.migrationsDirectory,
        environments: Object.fromEntries(
          TASK_RUNNER_STEPS.map((step) => [step, this.environments[step]]),
        ) as Record<TaskRunnerStep, Record<string, string>>,
        logRetention: settings.logRetention,
        databaseSecret: props.databaseSecret,
        databaseSecretKey: props.databaseSecretKey,
        auditTable: this.auditTable,
        leaseTable: this.leaseTable,
        backupBucket: this.backupBucket,
        backupPrefix: settings.backupPrefix,
        metricsNamespace: METRICS_NAMESPACE,
      });
    }
    // Validate plans with the runners this deployment has (lambdas/engine/runner-choice.ts).
    for (const [name, value] of Object.entries(runnerEnvironment(this.taskRunner?.timeout)))
      this.steps.validate.function.addEnvironment(name, value);
    this.functions = Object.fromEntries(
      STEP_FUNCTION_NAMES.map((step) => [step, this.steps[step].function]),
    ) as Record<StepFunctionName, lambda.Function>;

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(
        buildWorkflowDefinition(this, this.functions, {
          approvalTimeout: props.approvalTimeout,
          lockRetry: props.lockRetry,
          taskRunner: this.taskRunner,
          databaseSnapshot: settings.databaseSnapshot,
        }),
      ),
      timeout: settings.executionTimeout,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    this.acknowledgeStateMachineRole();
    this.taskRunner?.acknowledgeStateMachineRole(this.stateMachine.role);
    if (settings.databaseSnapshot)
      acknowledgeDatabaseSnapshotGrants(this.stateMachine.role, settings.databaseSnapshot);

    this.notifications = new MigrationNotifications(this, 'Notifications', {
      stateMachine: this.stateMachine,
      databaseName: props.databaseName,
      alarmEmail: props.alarmEmail,
      runtime: settings.runtime,
      logRetention: settings.logRetention,
    });
    this.topic = this.notifications.topic;
    this.grantStepPermissions(props, settings);
  }

  /** Lets `grantee` start executions and follow them (`stepmigrate start --wait`, CodePipeline). */
  grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    this.stateMachine.grantRead(grantee);
    return this.stateMachine.grantStartExecution(grantee);
  }

  /** Lets `grantee` answer Approval steps (`stepmigrate approve|reject`). */
  grantApprove(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantTaskResponse(grantee);
  }

  /** Lets `grantee` read the audit log (`stepmigrate audit`). */
  grantReadAudit(grantee: iam.IGrantable): iam.Grant {
    return this.auditTable.grantReadData(grantee);
  }

  /** Lets `grantee` list and download backups (`stepmigrate backups`, `restore`). */
  grantReadBackups(grantee: iam.IGrantable): iam.Grant {
    return this.backupBucket.grantRead(grantee, `${this.backupPrefix}*`);
  }

  /** A CodePipeline action that runs this workflow; the stage fails when the run fails. */
  pipelineAction(options?: PipelineActionOptions): codepipelineActions.StepFunctionInvokeAction {
    // Validate refuses any other database (one workflow per database): say so at synth time.
    const named = options?.database ?? options?.input?.database;
    if (
      named !== undefined &&
      !Token.isUnresolved(named) &&
      !Token.isUnresolved(this.databaseName) &&
      named !== this.databaseName
    ) {
      throw new Error(
        `pipelineAction: database "${named}" is not the database this workflow migrates ("${this.databaseName}")`,
      );
    }
    return pipelineAction(this.stateMachine, options);
  }

  /** A StepMigrate metric of this database. */
  metric(name: MetricName, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return stepMigrateMetric(name, this.databaseName, options);
  }

  /** Runs that ended failed (rolled back or not). */
  metricRunsFailed(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('RunFailed', options);
  }

  metricRunsSucceeded(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('RunSucceeded', options);
  }

  /** Runs that failed and were rolled back to where they started. */
  metricRollbacks(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('RolledBack', options);
  }

  /** Rollbacks that could not finish: each needs a person. */
  metricRollbacksFailed(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('RollbackFailed', options);
  }

  metricMigrationsApplied(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('MigrationsApplied', options);
  }

  metricRunDuration(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('RunDurationMs', options);
  }

  metricStepDuration(step: StepName, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('StepDurationMs', {
      ...options,
      dimensionsMap: { Step: step, ...options?.dimensionsMap },
    });
  }

  /** Failed step invocations (retried attempts count too), optionally of one step. */
  metricStepErrors(step?: StepName, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const stepDimension: cloudwatch.DimensionsMap = step === undefined ? {} : { Step: step };
    return this.metric('StepErrors', {
      ...options,
      dimensionsMap: { ...stepDimension, ...options?.dimensionsMap },
    });
  }

  metricBackupBytes(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('BackupBytes', options);
  }

  /** Lock timeouts that the state machine retried. */
  metricLockRetries(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('LockRetries', options);
  }

  private createSteps(
    props: MigrationWorkflowProps,
    settings: Settings,
    securityGroups: ec2.ISecurityGroup[],
  ): Record<StepFunctionName, StepLambda> {
    const common: Record<string, string> = {
      STEPMIGRATE_MIGRATIONS_DIR: BUNDLED_MIGRATIONS_DIR,
      STEPMIGRATE_DATABASE: props.databaseName,
      STEPMIGRATE_AUDIT_TABLE: this.auditTable.tableName,
      STEPMIGRATE_METRICS_NAMESPACE: METRICS_NAMESPACE,
      STEPMIGRATE_HISTORY_SCHEMA: settings.historySchema,
      STEPMIGRATE_LOCK_TIMEOUT_MS: String(settings.lockTimeoutMs),
      STEPMIGRATE_STATEMENT_TIMEOUT_MS: String(settings.statementTimeoutMs),
    };
    const steps = {} as Record<StepFunctionName, StepLambda>;
    for (const step of STEP_FUNCTION_NAMES) {
      const needs = STEP_NEEDS[step];
      const environment = { ...common };
      if (needs.database) {
        environment.STEPMIGRATE_DB_SECRET_ARN = props.databaseSecret.secretArn;
        if (props.databaseEndpoint) {
          environment.STEPMIGRATE_DB_HOST = props.databaseEndpoint.host;
          environment.STEPMIGRATE_DB_PORT = props.databaseEndpoint.port ?? '5432';
          environment.STEPMIGRATE_DB_NAME = props.databaseEndpoint.dbname;
        }
        // The Node.js 20+ Lambda runtimes ship the RDS certificate authorities here but do not
        // load them unless asked; without them TLS to RDS cannot be verified.
        environment.NODE_EXTRA_CA_CERTS = '/var/runtime/ca-cert.pem';
      }
      if (needs.lease) environment.STEPMIGRATE_LEASE_TABLE = this.leaseTable.tableName;
      if (needs.lease === 'take') {
        // The engine takes the lease for this long, plus the approval timeout when the run
        // waits for approval: no step renews it during the wait.
        environment.STEPMIGRATE_LEASE_TTL_MS = String(settings.leaseTtl.toMilliseconds());
        environment.STEPMIGRATE_APPROVAL_TIMEOUT_MS = String(settings.approvalTimeout.toMilliseconds());
      }
      if (needs.backup) {
        environment.STEPMIGRATE_BACKUP_BUCKET = this.backupBucket.bucketName;
        environment.STEPMIGRATE_BACKUP_PREFIX = settings.backupPrefix;
      }
      if (needs.readAlarms) environment.STEPMIGRATE_BAKE_ALARMS = settings.bakeAlarmNames.join(',');
      this.environments[step] = environment;
      steps[step] = new StepLambda(this, `${capitalize(step)}Step`, {
        step,
        handlersDirectory: settings.handlersDirectory,
        migrationsDirectory: settings.migrationsDirectory,
        environment,
        timeout: needs.timeout,
        memorySize: needs.memorySize,
        logRetention: settings.logRetention,
        runtime: settings.runtime,
        network: needs.database
          ? { vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroups }
          : undefined,
      });
    }
    return steps;
  }

  private grantStepPermissions(props: MigrationWorkflowProps, settings: Settings): void {
    const backupObjects = this.backupBucket.arnForObjects(`${settings.backupPrefix}*`);
    for (const step of STEP_FUNCTION_NAMES) {
      const needs = STEP_NEEDS[step];
      const lambdaStep = this.steps[step];
      const wildcardReasons = [
        'cloudwatch:PutMetricData has no resource-level permissions; the cloudwatch:namespace condition ' +
          `limits it to ${METRICS_NAMESPACE}.`,
        'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions.',
      ];
      // The audit middleware of every step appends records; none may change or delete one.
      lambdaStep.allow(['dynamodb:PutItem'], [this.auditTable.tableArn]);
      lambdaStep.allow(['cloudwatch:PutMetricData'], ['*'], {
        StringEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE },
      });
      if (needs.database) {
        for (const statement of secretReadStatements(props.databaseSecret, props.databaseSecretKey))
          lambdaStep.role.addToPrincipalPolicy(statement);
        wildcardReasons.push(
          'The ec2 network-interface actions a Lambda in a VPC needs do not support resource-level permissions.',
        );
      }
      // Conditional PutItem takes or renews the lease; GetItem names the holder when it is taken.
      if (needs.lease === 'take') {
        lambdaStep.allow(['dynamodb:PutItem', 'dynamodb:GetItem'], [this.leaseTable.tableArn]);
        // A held lease's owner is an execution ARN: whether it still runs decides a takeover.
        // Naming this state machine here would be a dependency cycle (its definition
        // references this function), so the grant covers executions of the account and region.
        const stack = Stack.of(this);
        lambdaStep.allow(
          ['states:DescribeExecution'],
          [
            stack.formatArn({
              service: 'states',
              resource: 'execution',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        );
        const shown = (value: string, token: string) => (Token.isUnresolved(value) ? `<${token}>` : value);
        Validations.of(lambdaStep.role.node.tryFindChild('DefaultPolicy') ?? lambdaStep.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${shown(stack.region, 'AWS::Region')}:${shown(stack.account, 'AWS::AccountId')}:execution:*]`,
          reason:
            'states:DescribeExecution only reads the status of the execution that holds the run lease; the state machine cannot be named without a dependency cycle.',
        });
      } else if (needs.lease === 'release') {
        lambdaStep.allow(['dynamodb:DeleteItem'], [this.leaseTable.tableArn]);
      }
      if (needs.readAudit) {
        lambdaStep.allow(['dynamodb:Query'], [`${this.auditTable.tableArn}/index/${AUDIT_EXECUTION_INDEX}`]);
      }
      if (needs.backup)
        this.grantBackupAccess(lambdaStep, needs.backup, backupObjects, settings.backupPrefix);
      if (needs.readAlarms && settings.bakeAlarmNames.length > 0) {
        lambdaStep.allow(['cloudwatch:DescribeAlarms'], alarmArns(this, settings.bakeAlarmNames));
      }
      if (needs.publishApproval) {
        lambdaStep.allow(['sns:Publish'], [this.topic.topicArn]);
        lambdaStep.allow(['kms:GenerateDataKey', 'kms:Decrypt'], [this.notifications.topicKey.keyArn]);
        lambdaStep.function.addEnvironment('STEPMIGRATE_TOPIC_ARN', this.topic.topicArn);
      }
      lambdaStep.acknowledgeWildcardResource(wildcardReasons);
    }
  }

  /** Gateway endpoints for S3 and DynamoDB, interface endpoints for the other APIs the steps call. */
  private createVpcEndpoints(props: MigrationWorkflowProps): Record<string, ec2.IVpcEndpoint> {
    const subnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const endpoints: Record<string, ec2.IVpcEndpoint> = {
      S3: new ec2.GatewayVpcEndpoint(this, 'S3Endpoint', {
        vpc: props.vpc,
        service: ec2.GatewayVpcEndpointAwsService.S3,
        subnets: [subnets],
      }),
      DynamoDB: new ec2.GatewayVpcEndpoint(this, 'DynamoDbEndpoint', {
        vpc: props.vpc,
        service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
        subnets: [subnets],
      }),
    };
    for (const [name, service] of Object.entries(INTERFACE_ENDPOINT_SERVICES)) {
      const endpoint = new ec2.InterfaceVpcEndpoint(this, `${name}Endpoint`, {
        vpc: props.vpc,
        service,
        subnets,
        privateDnsEnabled: true,
        // Only the database steps may reach it, not the whole VPC.
        open: false,
      });
      endpoint.connections.allowDefaultPortFrom(this.connections, 'stepmigrate database steps');
      endpoints[name] = endpoint;
    }
    return endpoints;
  }

  private grantBackupAccess(
    step: StepLambda,
    access: 'write' | 'read',
    objects: string,
    prefix: string,
  ): void {
    for (const statement of backupAccessStatements(this.backupBucket, access, prefix))
      step.role.addToPrincipalPolicy(statement);
    const policy = step.role.node.findChild('DefaultPolicy');
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResourceText(this, objects)}]`,
      reason: `Backups are written as many objects under one prefix; access is limited to "${prefix}*" in the backup bucket.`,
    });
  }

  private acknowledgeStateMachineRole(): void {
    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (!policy) return;
    const stack = Stack.of(this);
    const acknowledgements = [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Execution logging (logs:CreateLogDelivery and friends) and X-Ray tracing do not support resource-level ' +
          'permissions; the state machine role gets no other wildcard.',
      },
      ...STEP_FUNCTION_NAMES.map((step) => ({
        id: `AwsSolutions-IAM5[Resource::<${stack.resolve((this.functions[step].node.defaultChild as lambda.CfnFunction).logicalId)}.Arn>:*]`,
        reason: `LambdaInvoke may call any published version or alias of the ${step} step's function, and no other function.`,
      })),
    ];
    Validations.of(policy).acknowledge(...acknowledgements);
  }
}

interface Settings {
  migrationsDirectory: string;
  handlersDirectory: string;
  backupPrefix: string;
  backupRetentionDays: number;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  historySchema: string;
  bakeAlarmNames: string[];
  executionTimeout: Duration;
  approvalTimeout: Duration;
  leaseTtl: Duration;
  logRetention: logs.RetentionDays;
  runtime: lambda.Runtime;
  databaseSnapshot?: DatabaseSnapshotSettings;
}

/** Every prop problem is reported at synth time, naming what was given and what is expected. */
function validateProps(props: MigrationWorkflowProps): Settings {
  const settings: Settings = {
    migrationsDirectory: resolve(props.migrationsDirectory),
    handlersDirectory: resolve(props.handlersDirectory ?? DEFAULT_HANDLERS_DIRECTORY),
    backupPrefix: props.backupPrefix ?? 'backups/',
    backupRetentionDays: props.backupRetentionDays ?? 30,
    lockTimeoutMs: props.lockTimeoutMs ?? 3000,
    statementTimeoutMs: props.statementTimeoutMs ?? 900000,
    historySchema: props.historySchema ?? 'stepmigrate',
    bakeAlarmNames: props.bakeAlarmNames ?? [],
    executionTimeout:
      props.executionTimeout ??
      Duration.seconds(
        (props.approvalTimeout ?? DEFAULT_APPROVAL_TIMEOUT).toSeconds() + Duration.hours(6).toSeconds(),
      ),
    approvalTimeout: props.approvalTimeout ?? DEFAULT_APPROVAL_TIMEOUT,
    leaseTtl: props.leaseTtl ?? Duration.minutes(30),
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    runtime: props.runtime ?? lambda.Runtime.NODEJS_22_X,
  };
  const problems: string[] = [];
  if (!existsSync(settings.migrationsDirectory) || !statSync(settings.migrationsDirectory).isDirectory()) {
    problems.push(`migrationsDirectory "${settings.migrationsDirectory}" is not a directory`);
  }
  if (!Token.isUnresolved(props.databaseName) && !/^[\w.-]{1,255}$/.test(props.databaseName)) {
    problems.push(`databaseName "${props.databaseName}" must be 1-255 letters, digits, "_", "-" or "."`);
  }
  for (const [name, value] of [
    ['lockTimeoutMs', settings.lockTimeoutMs],
    ['statementTimeoutMs', settings.statementTimeoutMs],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0)
      problems.push(`${name} must be a positive whole number, got ${value}`);
  }
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(settings.historySchema)) {
    problems.push(`historySchema "${settings.historySchema}" must be a lower-case PostgreSQL identifier`);
  }
  if (
    settings.backupPrefix.startsWith('/') ||
    (settings.backupPrefix !== '' && !settings.backupPrefix.endsWith('/'))
  ) {
    problems.push(`backupPrefix "${settings.backupPrefix}" must not start with "/" and must end with "/"`);
  }
  const badAlarm = settings.bakeAlarmNames.find((name) => name === '' || name.includes(','));
  if (badAlarm !== undefined)
    problems.push(`bakeAlarmNames must be non-empty names without ",", got "${badAlarm}"`);
  const nodeMajor = /^nodejs(\d+)\.x$/.exec(settings.runtime.name)?.[1];
  if (settings.runtime.family !== lambda.RuntimeFamily.NODEJS || Number(nodeMajor ?? 0) < 22) {
    problems.push(
      `runtime must be Node.js 22 or later (the bundles target node22), got ${settings.runtime.name}`,
    );
  }
  if (settings.leaseTtl.toMinutes({ integral: false }) < 20) {
    problems.push(
      `leaseTtl must be at least 20 minutes (a step may run 15), got ${settings.leaseTtl.toHumanString()}`,
    );
  }
  const approvalTimeout = settings.approvalTimeout;
  if (approvalTimeout.toSeconds() >= settings.executionTimeout.toSeconds()) {
    problems.push(
      `approvalTimeout (${approvalTimeout.toHumanString()}) must be shorter than executionTimeout ` +
        `(${settings.executionTimeout.toHumanString()})`,
    );
  }
  if (props.databaseSnapshot) {
    const snapshot = validateDatabaseSnapshot(props.databaseSnapshot, props.databaseName);
    problems.push(...snapshot.problems);
    settings.databaseSnapshot = snapshot.settings;
  }
  if (problems.length > 0) throw new Error(`MigrationWorkflow: ${problems.join('; ')}`);
  return settings;
}
