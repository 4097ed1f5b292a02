// The failure notifier Lambda, the target of the workflow's EventBridge rule: Step Functions
// for the execution's history, SNS for the message (lambdas/handlers/notify-failure.ts).
import { SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SfnExecutionHistory } from '../adapters/sfn-execution-history.ts';
import type { FailureMessage } from '../engine/notifications/failure-message.ts';
import { required } from '../handlers/aws/environment.ts';
import { sdkClientConfig } from '../handlers/aws/sdk-client-config.ts';
import { redactSecrets } from '../handlers/middleware/redact.ts';
import { type ExecutionStatusEvent, makeNotifyFailureHandler } from '../handlers/notify-failure.ts';

let built: ReturnType<typeof makeNotifyFailureHandler> | undefined;

export const handler = async (event: ExecutionStatusEvent): Promise<FailureMessage> => {
  if (built === undefined) {
    const topicArn = required(process.env, 'STEPMIGRATE_TOPIC_ARN');
    const sns = new SNSClient(sdkClientConfig());
    const history = new SfnExecutionHistory({ client: new SFNClient(sdkClientConfig()) });
    built = makeNotifyFailureHandler({
      database: required(process.env, 'STEPMIGRATE_DATABASE'),
      history: (executionArn) => history.newestEvents(executionArn),
      publish: async ({ subject, text }) => {
        await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: text }));
      },
      log: (line) => console.log(redactSecrets(line)),
    });
  }
  return built(event);
};
