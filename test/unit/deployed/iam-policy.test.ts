// The deployed suite's IAM check must be able to say no: the wrong action, the wrong
// resource, a failed condition or an explicit Deny each refuse the call.
import { describe, expect, it } from '@jest/globals';
import { isAllowed } from '../../deployed/support/iam-policy.ts';
import type { PolicyStatement } from '../../deployed/support/template.ts';

const statements: PolicyStatement[] = [
  { effect: 'Allow', actions: ['dynamodb:PutItem'], resources: ['arn:aws:dynamodb:us-east-1:1:table/Audit'] },
  { effect: 'Allow', actions: ['s3:GetObject*'], resources: ['arn:aws:s3:::bucket/backups/*'] },
  {
    effect: 'Allow',
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': 'StepMigrate' } },
  },
  { effect: 'Deny', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::bucket/backups/secret/*'] },
];
const call = (action: string, resource: string, context?: Record<string, string>) => ({
  functionId: 'Fn',
  action,
  resource,
  context,
});

describe('isAllowed', () => {
  it('allows a matching action, resource and condition', () => {
    expect(isAllowed(statements, call('dynamodb:PutItem', 'arn:aws:dynamodb:us-east-1:1:table/Audit'))).toBe(
      true,
    );
    expect(isAllowed(statements, call('S3:getobject', 'arn:aws:s3:::bucket/backups/a/b.gz'))).toBe(true);
    expect(
      isAllowed(statements, call('cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': 'StepMigrate' })),
    ).toBe(true);
  });

  it('refuses another action, another resource, a failed condition and an explicit Deny', () => {
    expect(
      isAllowed(statements, call('dynamodb:DeleteItem', 'arn:aws:dynamodb:us-east-1:1:table/Audit')),
    ).toBe(false);
    expect(isAllowed(statements, call('dynamodb:PutItem', 'arn:aws:dynamodb:us-east-1:1:table/Lease'))).toBe(
      false,
    );
    expect(
      isAllowed(statements, call('cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': 'Other' })),
    ).toBe(false);
    expect(isAllowed(statements, call('cloudwatch:PutMetricData', '*'))).toBe(false);
    expect(isAllowed(statements, call('s3:GetObject', 'arn:aws:s3:::bucket/backups/secret/x'))).toBe(false);
  });
});
