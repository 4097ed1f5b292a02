// A synthesized stack with one MigrationWorkflow in it, without esbuild bundling (the
// handlers are stand-ins), for assertions on the template.
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { MigrationWorkflow, type MigrationWorkflowProps } from '../../../infra/migration-workflow.ts';

export const FIXTURE_HANDLERS = fileURLToPath(new URL('../fixtures/handlers', import.meta.url));
export const FIXTURE_MIGRATIONS = fileURLToPath(new URL('../fixtures/migrations', import.meta.url));

export interface WorkflowStack {
  app: App;
  stack: Stack;
  workflow: MigrationWorkflow;
  template: Template;
}

/** An app that neither bundles nor runs the built-in CloudFormation validation. */
export function testApp(): App {
  // The built-in CloudFormation validation costs most of a synth (about 28 s of 30 on a busy
  // machine); `cdk synth` of the example app still runs it.
  return new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
}

export function synthWorkflowStack(
  overrides: Partial<MigrationWorkflowProps> | ((stack: Stack) => Partial<MigrationWorkflowProps>) = {},
): WorkflowStack {
  const app = testApp();
  const stack = new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, restrictDefaultSecurityGroup: false });
  const databaseSecret = new secretsmanager.Secret(stack, 'DatabaseSecret');
  const workflow = new MigrationWorkflow(stack, 'Workflow', {
    migrationsDirectory: FIXTURE_MIGRATIONS,
    handlersDirectory: FIXTURE_HANDLERS,
    databaseSecret,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    databaseName: 'orders',
    alarmEmail: 'oncall@example.com',
    bakeAlarmNames: ['orders-5xx', 'orders-latency'],
    ...(typeof overrides === 'function' ? overrides(stack) : overrides),
  });
  return { app, stack, workflow, template: Template.fromStack(stack) };
}
