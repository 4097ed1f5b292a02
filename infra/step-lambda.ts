// One Lambda function for one state machine step: its own role (nothing attached but what the
// caller grants), its own log group, and its code bundled as the bundle tests and the size
// benchmark bundle it (bundledLambdaCode).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ArnFormat,
  AssetHashType,
  type BundlingOptions,
  DockerImage,
  type Duration,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundleLambdaPackage } from './bundling.ts';
import type { StepFunctionName } from './workflow-states.ts';

export interface StepLambdaProps {
  readonly step: StepFunctionName;
  readonly handlersDirectory: string;
  readonly migrationsDirectory: string;
  readonly environment: Record<string, string>;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly logRetention: logs.RetentionDays;
  /** @default lambda.Runtime.NODEJS_22_X */
  readonly runtime?: lambda.Runtime;
  /** Present for steps that talk to the database. */
  readonly network?: {
    readonly vpc: ec2.IVpc;
    readonly vpcSubnets?: ec2.SubnetSelection;
    readonly securityGroups: ec2.ISecurityGroup[];
  };
}

/**
 * The code of a stepmigrate Lambda (a step or the failure notifier): `entry` bundled by
 * bundleLambdaPackage (bundling.ts), the same function the bundle tests and the size benchmark
 * call, with a step's migrations beside it. Bundled on this machine; the asset's hash is that of
 * the bundle, so an unchanged bundle is not uploaded again.
 */
export function bundledLambdaCode(
  scope: Construct,
  entry: string,
  migrationsDirectory?: string,
): lambda.Code {
  if (!existsSync(entry))
    throw new Error(
      `${scope.node.path}: the Lambda entry file ${entry} does not exist (handlersDirectory holds one file per step, named after it)`,
    );
  return lambda.Code.fromAsset(dirname(entry), {
    assetHashType: AssetHashType.OUTPUT,
    // Every step's entry sits in the same directory: the entry and the migrations tell the
    // bundles apart.
    bundling: localBundling(
      { STEPMIGRATE_ENTRY: entry, STEPMIGRATE_MIGRATIONS: migrationsDirectory ?? '' },
      (outputDir) => bundleLambdaPackage(entry, outputDir, migrationsDirectory),
    ),
  });
}

/**
 * CDK bundling options that build an asset on this machine with `bundle` (esbuild, through
 * bundling.ts), never in a container. `inputs` names everything the output depends on beyond
 * the asset's source directory: CDK reuses a staged asset, across the whole app, for the same
 * directory and the same serializable bundling options, and `bundle` is a function, which
 * does not serialize. So `inputs` go in as the bundling environment, read by no container.
 */
export function localBundling(
  inputs: Record<string, string>,
  bundle: (outputDir: string) => void,
): BundlingOptions {
  return {
    environment: inputs,
    // Never used: local bundling with esbuild always succeeds or throws.
    image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
    local: {
      tryBundle(outputDir) {
        bundle(outputDir);
        return true;
      },
    },
  };
}

/** cdk-nag's "not the latest runtime" on a stepmigrate Lambda (a step or the failure notifier). */
export function acknowledgeRuntime(fn: lambda.IFunction): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'The runtime is the MigrationWorkflow `runtime` prop (default Node.js 22, which the bundles are built and ' +
      'tested for); moving to a newer runtime is a deliberate upgrade (docs/aws.md), not an automatic one.',
  });
}

/** A step's Lambda function with a role that starts empty: least privilege is granted per step. */
export class StepLambda extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: StepLambdaProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `stepmigrate ${props.step} step`,
    });
    // The log stream actions on the function's own log group, instead of the AWS managed
    // AWSLambdaBasicExecutionRole, which may write to every log group in the account.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    if (props.network) this.allowVpcNetworkInterfaces();

    this.function = new lambda.Function(this, 'Function', {
      code: bundledLambdaCode(
        this,
        join(props.handlersDirectory, `${props.step}.ts`),
        props.migrationsDirectory,
      ),
      handler: 'index.handler',
      runtime: props.runtime ?? lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      timeout: props.timeout,
      memorySize: props.memorySize,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      ...(props.network
        ? {
            vpc: props.network.vpc,
            vpcSubnets: props.network.vpcSubnets,
            securityGroups: props.network.securityGroups,
          }
        : {}),
    });
    acknowledgeRuntime(this.function);
  }

  /** Grants `actions` on `resources`. */
  allow(actions: string[], resources: string[], conditions?: Record<string, Record<string, unknown>>): void {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources, conditions }));
  }

  private allowVpcNetworkInterfaces(): void {
    // What AWSLambdaVPCAccessExecutionRole grants, inline, so the role has no managed policy.
    this.allow(
      [
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      ['*'],
    );
  }

  /** The one wildcard the role keeps, explained next to where it is granted. */
  acknowledgeWildcardResource(reasons: string[]): void {
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (!policy) return;
    Validations.of(policy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: reasons.join(' ') });
  }
}

/** `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>` for each alarm name. */
export function alarmArns(scope: Construct, names: readonly string[]): string[] {
  return names.map((name) =>
    Stack.of(scope).formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
  );
}
