// Approval requests go to the workflow's SNS topic.
import { SNSClient } from '@aws-sdk/client-sns';
import { SnsApprovalNotifier } from '../../adapters/sns-approval-notifier.ts';
import type { ApprovalNotifier } from '../../ports.ts';
import { type Env, notConfigured } from './environment.ts';
import { sdkClientConfig } from './sdk-client-config.ts';

export function snsApprovalNotifier(env: Env): ApprovalNotifier {
  const topicArn = env.STEPMIGRATE_TOPIC_ARN;
  if (!topicArn) return notConfigured<ApprovalNotifier>('approval topic', 'STEPMIGRATE_TOPIC_ARN');
  return new SnsApprovalNotifier({ client: new SNSClient(sdkClientConfig()), topicArn });
}
