// The ApprovalNotifier port on SNS: publishes the approval request to the workflow's topic.
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { approvalMessage } from '../engine/notifications/approval-message.ts';
import type { ApprovalNotifier, ApprovalRequest } from '../ports.ts';

export interface SnsApprovalNotifierOptions {
  client: SNSClient;
  topicArn: string;
}

export class SnsApprovalNotifier implements ApprovalNotifier {
  private readonly client: SNSClient;
  private readonly topicArn: string;

  constructor(options: SnsApprovalNotifierOptions) {
    this.client = options.client;
    this.topicArn = options.topicArn;
  }

  async requestApproval(request: ApprovalRequest): Promise<void> {
    const message = approvalMessage(request);
    await this.client.send(
      new PublishCommand({ TopicArn: this.topicArn, Subject: message.subject, Message: message.text }),
    );
  }
}
