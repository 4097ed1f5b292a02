// The stack the local runner synthesizes: the real MigrationWorkflow construct, with
// placeholder network and secret (the local runner never deploys, it only reads the
// state machine definition and which function serves each step).
import { type App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { DatabaseSnapshotOptions } from '../../infra/database-snapshot.ts';
import { MigrationWorkflow } from '../../infra/migration-workflow.ts';
import type { StepFunctionName } from '../../infra/workflow-states.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './resolve-definition.ts';

export interface LocalWorkflowStack {
  stack: Stack;
  workflow: MigrationWorkflow;
  functions: Readonly<Record<StepFunctionName, { functionArn: string }>>;
}

/** What a local run may configure of the workflow it synthesizes: plain JSON (it keys the cache). */
export interface LocalWorkflowOptions {
  /** Take a database snapshot before Backup, as a deployment with this prop does. */
  databaseSnapshot?: Pick<DatabaseSnapshotOptions, 'dbInstanceIdentifier' | 'dbClusterIdentifier'>;
}

export function buildLocalWorkflowStack(
  app: App,
  migrationsDirectory: string,
  options: LocalWorkflowOptions = {},
): LocalWorkflowStack {
  const stack = new Stack(app, 'StepMigrateLocal', { env: { account: LOCAL_ACCOUNT, region: LOCAL_REGION } });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-00000000',
    availabilityZones: [`${LOCAL_REGION}a`],
    privateSubnetIds: ['subnet-00000000'],
  });
  const databaseSecret = secretsmanager.Secret.fromSecretCompleteArn(
    stack,
    'DatabaseSecret',
    `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:stepmigrate-local-AbCdEf`,
  );
  const workflow = new MigrationWorkflow(stack, 'Workflow', {
    migrationsDirectory,
    databaseSecret,
    vpc,
    // Imported, so the task runner's network settings in the definition are plain strings.
    securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'SecurityGroup', 'sg-00000000')],
    databaseName: 'local',
    ...(options.databaseSnapshot ? { databaseSnapshot: options.databaseSnapshot } : {}),
  });
  return { stack, workflow, functions: workflow.functions };
}
