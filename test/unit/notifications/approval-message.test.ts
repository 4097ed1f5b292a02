import { describe, expect, it } from '@jest/globals';
import { approvalMessage } from '../../../lambdas/engine/notifications/approval-message.ts';
import type { ApprovalRequest } from '../../../lambdas/ports.ts';

const request: ApprovalRequest = {
  taskToken: 'AQCEAAAAKgAAAAMAAAAA+/tok=',
  executionId: 'arn:aws:states:eu-west-1:123456789012:execution:stepmigrate:deploy-42',
  database: 'orders',
  requestedBy: 'pipeline 7f3a',
  plan: {
    fromVersion: '0003',
    toVersion: '0005',
    direction: 'up',
    steps: [
      { version: '0004', name: 'add_status', direction: 'up' },
      { version: '0005', name: 'drop_legacy_flag', direction: 'up' },
    ],
    affectedTables: ['app.orders'],
    backupTables: ['app.orders'],
    findings: [
      {
        rule: 'drop-column',
        severity: 'warning',
        message: 'drops column app.orders.legacy_flag',
        migration: '0005',
        allowedBecause: 'column unused since 2025',
      },
      { rule: 'plan-note', severity: 'info', message: 'two steps' },
    ],
  },
};

describe('approvalMessage', () => {
  const { subject, text } = approvalMessage(request);

  it('gives the exact commands that approve or reject this execution', () => {
    expect(text).toContain("  stepmigrate approve 'AQCEAAAAKgAAAAMAAAAA+/tok='\n");
    expect(text).toContain(
      "  aws stepfunctions send-task-success --task-token 'AQCEAAAAKgAAAAMAAAAA+/tok=' --task-output '{}'\n",
    );
    expect(text).toContain("stepmigrate reject 'AQCEAAAAKgAAAAMAAAAA+/tok=' --reason");
    expect(text).toContain('send-task-failure --task-token');
  });

  it('summarises the plan: versions, steps, tables, findings with their allow reasons', () => {
    expect(text).toContain('0003 -> 0005 (up)');
    expect(text).toContain('  apply  0004 add_status\n');
    expect(text).toContain('  apply  0005 drop_legacy_flag\n');
    expect(text).toContain('Backed up first: app.orders');
    expect(text).toContain(
      'warning drop-column (0005): drops column app.orders.legacy_flag — allowed: column unused since 2025',
    );
    expect(text).not.toContain('two steps');
  });

  it('says who asked and links the execution in the console', () => {
    expect(text).toContain('pipeline 7f3a');
    expect(text).toContain('deploy-42');
    expect(text).toContain(
      'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:stepmigrate:deploy-42',
    );
  });

  it('has a one-line ASCII subject SNS accepts', () => {
    expect(subject).toBe('stepmigrate: approve 2 migration(s) on orders?');
  });

  it('quotes a token so a shell cannot split or expand it', () => {
    const quoted = approvalMessage({ ...request, taskToken: "a'b $c" }).text;
    expect(quoted).toContain(`stepmigrate approve 'a'\\''b $c'`);
  });
});
