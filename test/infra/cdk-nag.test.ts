// A workflow must pass cdk-nag's AwsSolutions rules with every finding either fixed or
// acknowledged, with a reason, next to the resource. The example app's stacks (demo, existing
// database, pipeline) are checked as `cdk synth` checks them in example-app.test.ts.
import { describe, expect, it } from '@jest/globals';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { synthWorkflowStack } from './support/workflow-stack.ts';

describe('cdk-nag AwsSolutions', () => {
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
});
