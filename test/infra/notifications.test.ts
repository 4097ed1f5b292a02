import { beforeAll, describe, expect, it } from '@jest/globals';
import { Match } from 'aws-cdk-lib/assertions';
import { MIGRATION_ALARMS } from '../../infra/notifications.ts';
import { allStatements, logicalId } from './support/iam.ts';
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
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: topicId },
    });
  });

  // CDK's SnsTopic event target adds `events.amazonaws.com` may Publish, with no condition:
  // any rule in any account could then post to the topic.
  it('lets no service principal publish without a condition, and EventBridge not at all', () => {
    const statements = Object.values(synthesized.template.findResources('AWS::SNS::TopicPolicy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Record<string, unknown>[],
    );
    const servicePublishers = statements.filter(
      (statement) => statement.Effect === 'Allow' && JSON.stringify(statement.Principal).includes('Service'),
    );
    expect(servicePublishers.length).toBeGreaterThan(0);
    for (const statement of servicePublishers) expect(statement.Condition).toBeDefined();
    expect(JSON.stringify(statements)).not.toContain('events.amazonaws.com');
  });

  it('subscribes nobody when no alarm address is given', () => {
    const { template } = synthWorkflowStack({ alarmEmail: undefined });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('MigrationNotifications execution status rule', () => {
  const notifierId = () =>
    logicalId(synthesized.stack, synthesized.workflow.notifications.failureNotifier.function);
  const queueId = () => logicalId(synthesized.stack, synthesized.workflow.notifications.deadLetterQueue);

  it('sends failed, timed out and aborted executions of this state machine to the notifier, with a dead-letter queue', () => {
    synthesized.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [{ Ref: stateMachineId }], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [notifierId(), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId(), 'Arn'] } },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: Match.anyValue() }),
        }),
      ],
    });
  });

  it('gives the notifier its own dead-letter queue, its database and its topic', () => {
    const notifier = synthesized.template.findResources('AWS::Lambda::Function')[notifierId()]!;
    expect(notifier.Properties.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId(), 'Arn'] } });
    expect(notifier.Properties.Environment.Variables).toMatchObject({
      STEPMIGRATE_DATABASE: 'orders',
      STEPMIGRATE_TOPIC_ARN: { Ref: topicId },
    });
    const queue = synthesized.template.findResources('AWS::SQS::Queue')[queueId()]!;
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true });
  });

  it("lets the notifier read only this state machine's execution history and publish only to the topic", () => {
    const role = logicalId(synthesized.stack, synthesized.workflow.notifications.failureNotifier.role);
    const granted = allStatements(synthesized.template).filter((statement) => statement.role === role);
    const actions = granted.flatMap((statement) => statement.actions).sort();
    expect(actions).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sns:Publish',
      'sqs:SendMessage',
      'states:GetExecutionHistory',
    ]);
    const history = granted.find((statement) => statement.actions.includes('states:GetExecutionHistory'))!;
    expect(history.resources).toHaveLength(1);
    expect(history.resources[0]).toContain(':execution:');
    expect(history.resources[0]).toContain(`"${stateMachineId}","Name"`);
    const publish = granted.find((statement) => statement.actions.includes('sns:Publish'))!;
    expect(publish.resources).toEqual([JSON.stringify({ Ref: topicId })]);
  });
});
