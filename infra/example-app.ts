// The example app's stacks, built from context: the workflow (against an existing database or
// a demo one) and, with -c pipeline=true, the delivery pipeline. infra/app.ts is the entry
// point `cdk` runs; tests build the same stacks through this function.
import { resolve } from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PipelineStack, pipelineSourceFromContext } from './stacks/pipeline-stack.ts';
import {
  type ExistingDatabase,
  StepMigrateStack,
  type StepMigrateStackProps,
} from './stacks/stepmigrate-stack.ts';

/** The context this app reads; the pipeline's `cdk deploy` is given the same values. */
const CONTEXT_KEYS = [
  'stackName',
  'migrationsDirectory',
  'databaseName',
  'databaseSecretArn',
  'databaseSecretKeyArn',
  'databaseHost',
  'databasePort',
  'databaseDbName',
  'vpcId',
  'subnetIds',
  'routeTableIds',
  'vpcEndpoints',
  'securityGroupId',
  'alarmEmail',
  'bakeAlarmNames',
  'databaseSnapshotInstance',
  'databaseSnapshotCluster',
  'pipeline',
  'pipelineStackName',
  'pipelineConnectionArn',
  'pipelineRepository',
  'pipelineCodeCommitRepository',
  'pipelineSourceBucket',
  'pipelineSourceKey',
  'pipelineBranch',
  'pipelineManualApproval',
  'pipelineApprovalEmails',
];

export interface ExampleApp {
  workflowStack: StepMigrateStack;
  pipelineStack?: PipelineStack;
}

/** The stacks of the example app, from the app's context, checked by cdk-nag when synthesized. */
export function buildExampleApp(app: App): ExampleApp {
  const context = (key: string): string | undefined => {
    const value = app.node.tryGetContext(key);
    return value === undefined || value === '' ? undefined : String(value);
  };
  const list = (key: string): string[] | undefined =>
    context(key)
      ?.split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  const flag = (key: string): boolean => context(key) === 'true';

  function existingDatabase(): ExistingDatabase | undefined {
    const secretArn = context('databaseSecretArn');
    const vpcId = context('vpcId');
    const subnetIds = list('subnetIds');
    if (secretArn === undefined && vpcId === undefined && subnetIds === undefined) return undefined;
    const missing = [
      secretArn === undefined && 'databaseSecretArn',
      vpcId === undefined && 'vpcId',
      subnetIds === undefined && 'subnetIds',
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new Error(
        `An existing database needs databaseSecretArn, vpcId and subnetIds together; missing ${missing.join(', ')} ` +
          '(pass them with -c name=value, or none of them for the demo database)',
      );
    }
    const host = context('databaseHost');
    const dbname = context('databaseDbName');
    if ((host === undefined) !== (dbname === undefined)) {
      throw new Error(
        'A secret without host and dbname needs -c databaseHost=… and -c databaseDbName=… together ' +
          '(and optionally -c databasePort=…)',
      );
    }
    return {
      secretArn: secretArn!,
      secretKeyArn: context('databaseSecretKeyArn'),
      endpoint: host && dbname ? { host, dbname, port: context('databasePort') } : undefined,
      vpcId: vpcId!,
      subnetIds: subnetIds!,
      routeTableIds: list('routeTableIds'),
      vpcEndpoints: flag('vpcEndpoints'),
      securityGroupId: context('securityGroupId'),
    };
  }

  // -c databaseSnapshotInstance=<RDS instance> or -c databaseSnapshotCluster=<Aurora cluster>.
  function databaseSnapshot(): StepMigrateStackProps['databaseSnapshot'] {
    const dbInstanceIdentifier = context('databaseSnapshotInstance');
    const dbClusterIdentifier = context('databaseSnapshotCluster');
    if (dbInstanceIdentifier === undefined && dbClusterIdentifier === undefined) return undefined;
    return { dbInstanceIdentifier, dbClusterIdentifier };
  }

  const workflowStack = new StepMigrateStack(app, context('stackName') ?? 'StepMigrate', {
    description: 'stepmigrate: PostgreSQL schema migrations as a guarded Step Functions workflow',
    migrationsDirectory: resolve(context('migrationsDirectory') ?? 'migrations'),
    databaseName: context('databaseName') ?? 'app',
    existingDatabase: existingDatabase(),
    alarmEmail: context('alarmEmail'),
    bakeAlarmNames: list('bakeAlarmNames'),
    databaseSnapshot: databaseSnapshot(),
  });

  const pipelineStack = flag('pipeline')
    ? new PipelineStack(app, context('pipelineStackName') ?? `${workflowStack.stackName}Pipeline`, {
        description: `stepmigrate: deploys ${workflowStack.stackName} and runs its migrations`,
        source: pipelineSourceFromContext(context),
        stateMachine: workflowStack.workflow.stateMachine,
        workflowStackName: workflowStack.stackName,
        // The Deploy stage must synthesize this same app, pipeline included: without it the
        // workflow stack would drop the export the pipeline's Migrate action imports.
        cdkDeployArguments: CONTEXT_KEYS.flatMap((key) => {
          const value = context(key);
          return value === undefined ? [] : ['-c', `${key}=${value}`];
        }),
        manualApproval: flag('pipelineManualApproval'),
        approvalEmails: list('pipelineApprovalEmails'),
      })
    : undefined;

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { workflowStack, pipelineStack };
}
