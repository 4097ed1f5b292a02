// Tells people when a migration run goes wrong (DESIGN §1.4): CloudWatch alarms on the state
// machine and on the StepMigrate metrics, and an EventBridge rule whose notifier Lambda writes
// the failure message (database, migration, error, outcome, console link), all into one
// encrypted SNS topic.
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FailureNotifier } from './failure-notifier.ts';
import { stepMigrateMetric } from './workflow-metrics.ts';

export interface MigrationNotificationsProps {
  /** The migration state machine to watch (its name scopes the notifier's history reads). */
  readonly stateMachine: sfn.StateMachine;
  /** Display name of the target database: the `Database` metric dimension and the message subject. */
  readonly databaseName: string;
  /**
   * Address that receives every alarm and failure message (a confirmation mail is sent first).
   * @default - no subscription; subscribe to `topic` yourself
   */
  readonly alarmEmail?: string;
  /**
   * Runtime of the failure notifier Lambda.
   * @default lambda.Runtime.NODEJS_22_X
   */
  readonly runtime?: lambda.Runtime;
  /**
   * Retention of the failure notifier's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

interface AlarmSpec {
  /** Construct id of the alarm; part of the construct's public contract. */
  readonly id: string;
  readonly description: string;
  readonly metric: (props: MigrationNotificationsProps) => cloudwatch.IMetric;
}

/** Every alarm fires on the first occurrence within a minute: each one is a run that needs a person. */
export const MIGRATION_ALARMS: readonly AlarmSpec[] = [
  {
    id: 'ExecutionsFailed',
    description: 'A stepmigrate execution failed.',
    metric: ({ stateMachine }) => stateMachine.metricFailed(),
  },
  {
    id: 'ExecutionsTimedOut',
    description: 'A stepmigrate execution timed out; the database may be mid-run. Check the audit log.',
    metric: ({ stateMachine }) => stateMachine.metricTimedOut(),
  },
  {
    id: 'ExecutionsAborted',
    description:
      'A stepmigrate execution was stopped by hand; the database may be mid-run. Check the audit log.',
    metric: ({ stateMachine }) => stateMachine.metricAborted(),
  },
  {
    id: 'RolledBack',
    description: 'A stepmigrate run failed and was rolled back to the version it started from.',
    metric: ({ databaseName }) => stepMigrateMetric('RolledBack', databaseName),
  },
  {
    id: 'RollbackFailed',
    description: 'CRITICAL: a stepmigrate rollback failed. Manual action is needed (see the runbook).',
    metric: ({ databaseName }) => stepMigrateMetric('RollbackFailed', databaseName),
  },
];

export class MigrationNotifications extends Construct {
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;
  readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;
  readonly executionStatusRule: events.Rule;
  /** Writes and publishes the failure message of each failed, timed-out or aborted execution. */
  readonly failureNotifier: FailureNotifier;
  /**
   * Status-change events that could not be turned into a message: EventBridge puts those it
   * cannot deliver to the notifier here, and the notifier those it failed on every retry.
   */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: MigrationNotificationsProps) {
    super(scope, id);
    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the stepmigrate notification topic',
      enableKeyRotation: true,
    });
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `stepmigrate ${props.databaseName}`,
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    // Alarms publish as the CloudWatch service; the failure message comes from the notifier's
    // own role, so no other service principal may publish.
    this.allowServiceToPublish('cloudwatch.amazonaws.com');
    if (props.alarmEmail !== undefined) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    this.alarms = this.createAlarms(props);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the execution status rule target and of the failure ' +
        'notifier Lambda; a dead-letter queue of a dead-letter queue would only move the question.',
    });
    this.failureNotifier = new FailureNotifier(this, 'FailureNotifier', {
      stateMachine: props.stateMachine,
      databaseName: props.databaseName,
      topic: this.topic,
      topicKey: this.topicKey,
      deadLetterQueue: this.deadLetterQueue,
      runtime: props.runtime ?? lambda.Runtime.NODEJS_22_X,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    this.executionStatusRule = this.createExecutionStatusRule(props);
  }

  private createAlarms(props: MigrationNotificationsProps): Record<string, cloudwatch.Alarm> {
    const action = new cloudwatchActions.SnsAction(this.topic);
    const alarms: Record<string, cloudwatch.Alarm> = {};
    for (const spec of MIGRATION_ALARMS) {
      const alarm = new cloudwatch.Alarm(this, `${spec.id}Alarm`, {
        alarmDescription: `${spec.description} Database: ${props.databaseName}.`,
        metric: spec.metric(props),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarms[spec.id] = alarm;
    }
    return alarms;
  }

  private createExecutionStatusRule(props: MigrationNotificationsProps): events.Rule {
    const rule = new events.Rule(this, 'ExecutionStatusRule', {
      description: `stepmigrate ${props.databaseName}: an execution failed, timed out or was aborted`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [props.stateMachine.stateMachineArn],
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
        },
      },
    });
    rule.addTarget(
      new targets.LambdaFunction(this.failureNotifier.function, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
      }),
    );
    return rule;
  }

  private allowServiceToPublish(service: string): void {
    const principal = new iam.ServicePrincipal(service);
    this.topicKey.grant(principal, 'kms:Decrypt', 'kms:GenerateDataKey');
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [principal],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
  }
}
