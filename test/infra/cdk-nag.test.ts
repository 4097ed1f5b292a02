// The example app's stacks must pass cdk-nag's AwsSolutions rules with every finding either
// fixed or acknowledged, with a reason, next to the resource.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { App, type Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StepMigrateStack } from '../../infra/stacks/stepmigrate-stack.ts';
import { synthWorkflowStack } from './support/workflow-stack.ts';

const migrationsDirectory = fileURLToPath(new URL('../../migrations', import.meta.url));

function findings(build: (app: App) => Stack): string[] {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  build(app);
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.map(
    (violation) =>
      `${violation.severity} ${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the demo stack (workflow, VPC, PostgreSQL)', () => {
    const unacknowledged = findings(
      (app) =>
        new StepMigrateStack(app, 'Demo', {
          migrationsDirectory,
          databaseName: 'app',
          alarmEmail: 'ops@example.com',
        }),
    );

    expect(unacknowledged).toEqual([]);
  });

  it('finds nothing unacknowledged in the stack for an existing database', () => {
    const unacknowledged = findings(
      (app) =>
        new StepMigrateStack(app, 'Existing', {
          migrationsDirectory,
          databaseName: 'orders',
          bakeAlarmNames: ['orders-5xx'],
          existingDatabase: {
            secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-AbCdEf',
            vpcId: 'vpc-0123456789abcdef0',
            subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
          },
        }),
    );

    expect(unacknowledged).toEqual([]);
  });

  it('finds nothing unacknowledged in a workflow given an existing backup bucket', () => {
    const { app } = synthWorkflowStack((stack) => ({
      backupBucket: s3.Bucket.fromBucketName(stack, 'ExistingBackups', 'orders-backups'),
    }));
    const workflowFindings = new AwsSolutionsChecks(app)
      .validateScope(app)
      .violations.filter((violation) =>
        violation.violatingResources.some((resource) => resource.constructPath?.includes('/Workflow/')),
      )
      .map((violation) => violation.ruleName);

    expect(workflowFindings).toEqual([]);
  });

  it('gives every acknowledgement a specific reason', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new StepMigrateStack(app, 'Demo', { migrationsDirectory, databaseName: 'app' });
    const reasons = app.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .flatMap((entry) => Object.values(entry.data as Record<string, string>));

    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason.length).toBeGreaterThan(40);
  });
});
