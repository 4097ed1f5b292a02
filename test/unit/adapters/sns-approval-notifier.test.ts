import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { SnsApprovalNotifier } from '../../../lambdas/adapters/sns-approval-notifier.ts';
import type { ApprovalRequest } from '../../../lambdas/ports.ts';

const sns = mockClient(SNSClient);
const topicArn = 'arn:aws:sns:eu-west-1:123456789012:stepmigrate';

const request: ApprovalRequest = {
  taskToken: 'AQCEAAAAKgAAAAMAAAAA+/token==',
  executionId: 'arn:aws:states:eu-west-1:123456789012:execution:stepmigrate:deploy-42',
  database: 'orders',
  plan: {
    fromVersion: '0003',
    toVersion: '0004',
    direction: 'up',
    steps: [{ version: '0004', name: 'drop_legacy_flag', direction: 'up' }],
    affectedTables: ['app.orders'],
    backupTables: ['app.orders'],
    findings: [],
  },
};

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('SnsApprovalNotifier', () => {
  it('publishes the approval request with its subject to the topic', async () => {
    await new SnsApprovalNotifier({ client: new SNSClient({}), topicArn }).requestApproval(request);

    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.TopicArn).toBe(topicArn);
    expect(input.Subject).toBe('stepmigrate: approve 1 migration(s) on orders?');
    expect(input.Message).toContain("stepmigrate approve 'AQCEAAAAKgAAAAMAAAAA+/token=='");
  });

  it('lets a failed Publish fail the step', async () => {
    sns.on(PublishCommand).rejects(new Error('AuthorizationError: not allowed to publish'));

    await expect(
      new SnsApprovalNotifier({ client: new SNSClient({}), topicArn }).requestApproval(request),
    ).rejects.toThrow('not allowed to publish');
  });
});
