// The long-running runner: the same handlers and engine as the step Lambdas, in a container
// the state machine starts as an ECS Fargate task (RunTask with the task token) when work may
// outlast one 15-minute Lambda invocation — a long migration, a large backup or restore.
// One task definition per step that can run there, each with a task role holding only that
// step's permissions, in the same VPC, subnets and security groups as the step Lambdas.
//
// The image is built by CDK from the same bundle as the Lambdas (esbuild with the settings in
// bundling.ts, plus the migrations) and the Dockerfile in infra/task-image/. `cdk synth` only
// bundles; `cdk deploy` builds and pushes the image, and that needs Docker.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, AssetStaging, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { backupAccessStatements } from './backup-access.ts';
import { bundleSync, copyPackageFiles, PROJECT_ROOT } from './bundling.ts';
import { capitalize } from './capitalize.ts';
import { nagResourceText } from './nag-resource-text.ts';
import { secretReadStatements } from './secret-read.ts';
import { localBundling } from './step-lambda.ts';
import { STEP_NEEDS } from './step-needs.ts';
import {
  TASK_EVENT_FIELDS,
  TASK_HEARTBEAT_MS,
  TASK_RUNNER_STEPS,
  TaskEnv,
  type TaskRunnerStep,
} from './task-contract.ts';

/** How the task runner is sized and limited (the `taskRunner` prop of MigrationWorkflow). */
export interface TaskRunnerOptions {
  /**
   * Longest one task may run; Validate refuses work estimated to take longer.
   * @default Duration.hours(6)
   */
  readonly timeout?: Duration;
}

export const DEFAULT_TASK_TIMEOUT = Duration.hours(6);

/** A task that sends no heartbeat this long is dead (a crashed container): the state fails. */
export const TASK_HEARTBEAT_TIMEOUT = Duration.seconds((TASK_HEARTBEAT_MS / 1000) * 5);

/** CPU (units) and memory (MiB) per step: gzip of a backup and a restore are CPU-bound. */
const TASK_SIZES: Readonly<Record<TaskRunnerStep, { cpu: number; memoryLimitMiB: number }>> = {
  backup: { cpu: 1024, memoryLimitMiB: 2048 },
  apply: { cpu: 512, memoryLimitMiB: 1024 },
  rollback: { cpu: 1024, memoryLimitMiB: 2048 },
};

const CONTAINER_NAME = 'runner';
const IMAGE_DIRECTORY = join(PROJECT_ROOT, 'infra', 'task-image');

export interface TaskRunnerProps extends TaskRunnerOptions {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
  readonly migrationsDirectory: string;
  /** Each step's environment: the same variables its Lambda gets. */
  readonly environments: Readonly<Record<TaskRunnerStep, Record<string, string>>>;
  readonly logRetention: logs.RetentionDays;
  readonly databaseSecret: secretsmanager.ISecret;
  /** The customer-managed key the secret is encrypted with, when it is not the secret's own. */
  readonly databaseSecretKey?: kms.IKey;
  readonly auditTable: dynamodb.ITable;
  readonly leaseTable: dynamodb.ITable;
  readonly backupBucket: s3.IBucket;
  readonly backupPrefix: string;
  readonly metricsNamespace: string;
}

export class TaskRunner extends Construct {
  readonly cluster: ecs.Cluster;
  readonly taskDefinitions: Readonly<Record<TaskRunnerStep, ecs.FargateTaskDefinition>>;
  readonly logGroup: logs.LogGroup;
  readonly timeout: Duration;

  private readonly props: TaskRunnerProps;
  private readonly containers = {} as Record<TaskRunnerStep, ecs.ContainerDefinition>;

  constructor(scope: Construct, id: string, props: TaskRunnerProps) {
    super(scope, id);
    this.props = props;
    this.timeout = props.timeout ?? DEFAULT_TASK_TIMEOUT;
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const image = ecs.ContainerImage.fromAsset(bundledImageDirectory(this, props.migrationsDirectory), {
      platform: Platform.LINUX_AMD64,
    });
    const definitions = {} as Record<TaskRunnerStep, ecs.FargateTaskDefinition>;
    for (const step of TASK_RUNNER_STEPS) {
      definitions[step] = this.createTaskDefinition(step, image);
    }
    this.taskDefinitions = definitions;
  }

  /** The task role of `step`: only that step's permissions. */
  taskRole(step: TaskRunnerStep): iam.IRole {
    return this.taskDefinitions[step].taskRole;
  }

  /**
   * A Task state that runs `step` on the task runner and waits for the container's answer
   * (SendTaskSuccess/Failure), so results and error names come back as from a Lambda.
   */
  runTaskState(
    scope: Construct,
    stateName: string,
    step: TaskRunnerStep,
    props: Pick<tasks.EcsRunTaskProps, 'resultSelector' | 'resultPath'>,
  ): tasks.EcsRunTask {
    const environment: tasks.TaskEnvironmentVariable[] = [
      { name: TaskEnv.step, value: step },
      { name: TaskEnv.taskToken, value: sfn.JsonPath.taskToken },
      { name: TaskEnv.executionId, value: sfn.JsonPath.stringAt('$$.Execution.Id') },
      ...Object.entries(TASK_EVENT_FIELDS[step]).map(([field, path]) => ({
        name: `${TaskEnv.eventFieldPrefix}${field.toUpperCase()}`,
        value: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(path)),
      })),
    ];
    return new tasks.EcsRunTask(scope, stateName, {
      stateName,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      cluster: this.cluster,
      taskDefinition: this.taskDefinitions[step],
      launchTarget: new tasks.EcsFargateLaunchTarget({ platformVersion: ecs.FargatePlatformVersion.LATEST }),
      subnets: this.props.vpcSubnets,
      securityGroups: this.props.securityGroups,
      assignPublicIp: false,
      containerOverrides: [{ containerDefinition: this.containers[step], environment }],
      taskTimeout: sfn.Timeout.duration(this.timeout),
      heartbeatTimeout: sfn.Timeout.duration(TASK_HEARTBEAT_TIMEOUT),
      ...props,
    });
  }

  /**
   * The state machine may run any revision of the task definitions (RunTask on `family:*`),
   * the only wildcard the task routing adds to its role; explained here, where it comes from.
   */
  acknowledgeStateMachineRole(role: iam.IRole): void {
    const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    if (!policy) return;
    const stack = Stack.of(this);
    const families = Object.values(this.taskDefinitions).map(
      (d) => stack.resolve((d.node.defaultChild as ecs.CfnTaskDefinition).logicalId) as string,
    );
    const document = stack.resolve(policy.document.toJSON()) as { Statement: Array<{ Resource?: unknown }> };
    const resources = document.Statement.flatMap((statement) =>
      Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource],
    );
    const ids = new Set(
      resources
        .map((resource) => nagResourceText(this, resource as string))
        .filter((text) => text.endsWith(':*') && families.some((family) => text.includes(family))),
    );
    Validations.of(policy).acknowledge(
      ...[...ids].map((text) => ({
        id: `AwsSolutions-IAM5[Resource::${text}]`,
        reason:
          'RunTask names a task definition family; the grant covers its revisions (":*") so a deploy that ' +
          'registers a new revision keeps working, and no other family.',
      })),
    );
  }

  private createTaskDefinition(step: TaskRunnerStep, image: ecs.ContainerImage): ecs.FargateTaskDefinition {
    const id = capitalize(step);
    const taskRole = new iam.Role(this, `${id}TaskRole`, {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `stepmigrate ${step} step on the task runner`,
    });
    const definition = new ecs.FargateTaskDefinition(this, `${id}Task`, {
      ...TASK_SIZES[step],
      taskRole,
      // x86-64: the image builds natively on the usual deploy machines; the work is I/O-bound.
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    this.containers[step] = definition.addContainer(CONTAINER_NAME, {
      image,
      environment: { ...this.props.environments[step], NODE_OPTIONS: '--enable-source-maps' },
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: step }),
      readonlyRootFilesystem: true,
    });
    this.grantStepPermissions(step, taskRole);
    Validations.of(definition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds configuration only (table and bucket names, the secret ARN, timeouts); ' +
        'credentials come from Secrets Manager at run time, as for the step Lambdas.',
    });
    const executionPolicy = definition.executionRole?.node.tryFindChild('DefaultPolicy');
    if (executionPolicy) {
      Validations.of(executionPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ecr:GetAuthorizationToken, which pulls the task image, has no resource-level permissions.',
      });
    }
    return definition;
  }

  /** The same grants as the step's Lambda (STEP_NEEDS), minus what only a Lambda needs. */
  private grantStepPermissions(step: TaskRunnerStep, role: iam.Role): void {
    const needs = STEP_NEEDS[step];
    const allow = (actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources, conditions }));
    const { auditTable, leaseTable, backupBucket, backupPrefix, metricsNamespace } = this.props;
    allow(['dynamodb:PutItem'], [auditTable.tableArn]);
    allow(['cloudwatch:PutMetricData'], ['*'], {
      StringEquals: { 'cloudwatch:namespace': metricsNamespace },
    });
    // The task token answers: these actions have no resource-level permissions.
    allow(['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'], ['*']);
    if (needs.database) {
      // The same statements as the step Lambdas get (secret-read.ts).
      for (const statement of secretReadStatements(this.props.databaseSecret, this.props.databaseSecretKey))
        role.addToPrincipalPolicy(statement);
    }
    if (needs.lease === 'take') allow(['dynamodb:PutItem', 'dynamodb:GetItem'], [leaseTable.tableArn]);
    const objects = backupBucket.arnForObjects(`${backupPrefix}*`);
    if (needs.backup) {
      // The same statements as the step Lambdas get (backup-access.ts).
      for (const statement of backupAccessStatements(backupBucket, needs.backup, backupPrefix))
        role.addToPrincipalPolicy(statement);
    }
    const policy = role.node.findChild('DefaultPolicy');
    Validations.of(policy).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          `cloudwatch:PutMetricData has no resource-level permissions (the cloudwatch:namespace condition limits it to ${metricsNamespace}); ` +
          'nor do states:SendTaskSuccess/SendTaskFailure/SendTaskHeartbeat, which answer only the task token the task was given.',
      },
      ...(needs.backup
        ? [
            {
              id: `AwsSolutions-IAM5[Resource::${nagResourceText(this, objects)}]`,
              reason: `Backups are many objects under one prefix; access is limited to "${backupPrefix}*" in the backup bucket.`,
            },
          ]
        : []),
    );
  }
}

/**
 * The image directory: the Dockerfile plus the task entry point bundled like the Lambdas.
 * Stacks that skip bundling (tests, the local runner's synth) get the Dockerfile alone.
 */
function bundledImageDirectory(scope: Construct, migrationsDirectory: string): string {
  const staging = new AssetStaging(scope, 'ImageBundle', {
    sourcePath: IMAGE_DIRECTORY,
    assetHashType: AssetHashType.OUTPUT,
    // The image directory is every workflow's: the migrations tell the bundles apart (two
    // workflows of one app may deploy different ones).
    bundling: localBundling({ STEPMIGRATE_MIGRATIONS: migrationsDirectory }, (outputDir) =>
      bundleTaskEntry(outputDir, migrationsDirectory),
    ),
  });
  return staging.absoluteStagedPath;
}

/** Writes the image directory: the bundled task entry point, its migrations, the Dockerfile. */
export function bundleTaskEntry(outputDir: string, migrationsDirectory: string): void {
  // As the Lambdas are bundled, without their aliases: the credentials stand-in reads the Lambda
  // runtime's environment, and a container gets the task role's credentials through the SDK's
  // default chain.
  bundleSync(join(PROJECT_ROOT, 'lambdas', 'task', 'main.ts'), join(outputDir, 'index.mjs'));
  copyFileSync(join(IMAGE_DIRECTORY, 'Dockerfile'), join(outputDir, 'Dockerfile'));
  copyPackageFiles(outputDir, migrationsDirectory);
}
