// What a Lambda builds from its environment: a step without a variable fails on first use
// with the variable's name, not with an SDK error about an empty bucket or table.
import { describe, expect, it } from '@jest/globals';
import { awsDependencies } from '../../../lambdas/handlers/aws/aws-dependencies.ts';

const base = {
  STEPMIGRATE_DATABASE: 'orders',
  STEPMIGRATE_AUDIT_TABLE: 'audit',
  STEPMIGRATE_MIGRATIONS_DIR: '/var/task/migrations',
};

describe('awsDependencies', () => {
  it('refuses to start without the variables every step needs', () => {
    expect(() => awsDependencies({ ...base, STEPMIGRATE_DATABASE: undefined })).toThrow(
      'STEPMIGRATE_DATABASE is not set on this Lambda function',
    );
  });

  it('names the missing variable when a step uses a port it was not given', async () => {
    const deps = awsDependencies(base);
    await expect(async () => deps.backupStore.list('x')).rejects.toThrow(
      'this step has no backup bucket: STEPMIGRATE_BACKUP_BUCKET is not set on its Lambda function',
    );
    expect(() => deps.approval.requestApproval({} as never)).toThrow(/STEPMIGRATE_TOPIC_ARN/);
  });

  it('reads the bake alarm names from a comma-separated list', () => {
    const deps = awsDependencies({ ...base, STEPMIGRATE_BAKE_ALARMS: ' HighErrors, Latency ,,' });
    expect(deps.bakeAlarmNames).toEqual(['HighErrors', 'Latency']);
    expect(deps.database).toBe('orders');
  });
});
