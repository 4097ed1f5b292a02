// The Lambda that turns "an execution ended FAILED, TIMED_OUT or ABORTED" into the failure
// e-mail (lambdas/handlers/notify-failure.ts): it reads the execution's history and publishes
// to the topic. It may read the history of this state machine's executions and publish to
// this topic, nothing else; an event it cannot deliver ends on the dead-letter queue.
import { join } from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFAULT_HANDLERS_DIRECTORY } from './bundling.ts';
import { nagResourceText } from './nag-resource-text.ts';
import { acknowledgeRuntime, bundledLambdaCode } from './step-lambda.ts';

export interface FailureNotifierProps {
  readonly stateMachine: sfn.StateMachine;
  readonly databaseName: string;
  readonly topic: sns.ITopic;
  readonly topicKey: kms.IKey;
  /** Where an invocation that failed every retry is kept. */
  readonly deadLetterQueue: sqs.IQueue;
  readonly runtime: lambda.Runtime;
  readonly logRetention: logs.RetentionDays;
}

export class FailureNotifier extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: FailureNotifierProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'stepmigrate failure notifier',
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${props.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // The history holds Report's output (what happened, which migration) of a failed run.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['states:GetExecutionHistory'], resources: [executions] }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [props.topic.topicArn] }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.topicKey.keyArn],
      }),
    );

    this.function = new lambda.Function(this, 'Function', {
      // Bundled as the step Lambdas are, with the same credentials stand-in: the runtime sets the
      // role's in the environment.
      code: bundledLambdaCode(this, join(DEFAULT_HANDLERS_DIRECTORY, 'notify-failure.ts')),
      handler: 'index.handler',
      runtime: props.runtime,
      architecture: lambda.Architecture.ARM_64,
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      timeout: Duration.seconds(30),
      memorySize: 256,
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: 2,
      environment: {
        STEPMIGRATE_DATABASE: props.databaseName,
        STEPMIGRATE_TOPIC_ARN: props.topic.topicArn,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    acknowledgeRuntime(this.function);
    const policy = this.role.node.findChild('DefaultPolicy');
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResourceText(this, executions)}]`,
      reason:
        'Execution names are chosen per run; GetExecutionHistory is limited to the executions of the ' +
        'migration state machine.',
    });
  }
}
