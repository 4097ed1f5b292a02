import { beforeAll, describe, expect, it } from '@jest/globals';
import { Match } from 'aws-cdk-lib/assertions';
import { MIGRATION_ALARMS } from '../../infra/notifications.ts';
import { logicalId } from './support/iam.ts';
import { synthWorkflowStack, type WorkflowStack } from './support/workflow-stack.ts';

let synthesized: WorkflowStack;
let topicId: string;
let stateMachineId: string;

beforeAll(() => {
  synthesized = synthWorkflowStack();
  topicId = logicalId(synthesized.stack, synthesized.workflow.topic);
  stateMachineId = logicalId(synthesized.stack, synthesized.workflow.stateMachine);
});

function alarm(id: string) {
  const alarmConstruct = synthesized.workflow.notifications.alarms[id];
  if (!alarmConstruct) throw new Error(`no alarm ${id}`);
  return synthesized.template.findResources('AWS::CloudWatch::Alarm')[
    logicalId(synthesized.stack, alarmConstruct)
  ]!;
}

describe('MigrationNotifications alarms', () => {
  it('builds one alarm per table row, each notifying the topic on the first occurrence', () => {
    expect(Object.keys(synthesized.template.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(
      MIGRATION_ALARMS.length,
    );
    for (const { id } of MIGRATION_ALARMS) {
      expect(alarm(id).Properties).toMatchObject({
        AlarmActions: [{ Ref: topicId }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  // Each alarm's construct id is the name of the metric it watches.
  it.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])(
    'watches %s of this state machine in AWS/States',
    (metricName) => {
      expect(alarm(metricName).Properties).toMatchObject({
        Namespace: 'AWS/States',
        MetricName: metricName,
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: stateMachineId } }],
      });
    },
  );

  it.each(['RolledBack', 'RollbackFailed'])('watches %s of this database in StepMigrate', (metricName) => {
    expect(alarm(metricName).Properties).toMatchObject({
      Namespace: 'StepMigrate',
      MetricName: metricName,
      Statistic: 'Sum',
      Dimensions: [{ Name: 'Database', Value: 'orders' }],
    });
  });
});

describe('MigrationNotifications topic', () => {
  it('is KMS-encrypted with a rotating key, TLS-only, and mails the alarm address', () => {
    const { template } = synthesized;
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
          }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sns:Publish',
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: topicId },
    });
  });

  it('subscribes nobody when no alarm address is given', () => {
    const { template } = synthWorkflowStack({ alarmEmail: undefined });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('MigrationNotifications execution status rule', () => {
  it('matches failed, timed out and aborted executions of this state machine only', () => {
    synthesized.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [{ Ref: stateMachineId }], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: topicId } })],
    });
  });

  it('sends a readable message with database, execution, error, cause and console link', () => {
    const rule = Object.values(synthesized.template.findResources('AWS::Events::Rule'))[0]!;
    const transformer = rule.Properties.Targets[0].InputTransformer;
    expect(transformer.InputPathsMap).toMatchObject({
      'detail-name': '$.detail.name',
      'detail-status': '$.detail.status',
      'detail-error': '$.detail.error',
      'detail-cause': '$.detail.cause',
      'detail-executionArn': '$.detail.executionArn',
      region: '$.region',
    });
    const template: string = transformer.InputTemplate;
    expect(template).toContain('a migration run on database orders ended <detail-status>');
    expect(template).toContain('Error:     <detail-error>');
    expect(template).toContain('Cause:     <detail-cause>');
    expect(template).toContain(
      'https://<region>.console.aws.amazon.com/states/home?region=<region>#/v2/executions/details/<detail-executionArn>',
    );
  });
});
