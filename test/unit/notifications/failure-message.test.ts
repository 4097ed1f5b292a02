import { describe, expect, it } from '@jest/globals';
import {
  failureChatMessage,
  failureDetailsFromRunOutput,
  failureMessage,
} from '../../../lambdas/engine/notifications/failure-message.ts';
import type { RunOutput } from '../../../lambdas/engine/run-state.ts';

const EXECUTION_ARN =
  'arn:aws:states:eu-west-1:123456789012:execution:orders-migrations:orders-prod-latest-20261121T101500-a1b2';

const rolledBack: RunOutput = {
  status: 'rolled_back',
  executionId: EXECUTION_ARN,
  database: 'orders-prod',
  fromVersion: '0003',
  toVersion: '0005',
  applied: ['0004'],
  rolledBack: ['0004'],
  plan: { pending: ['0004', '0005'], findings: [], findingsTotal: 0 },
  backup: { location: 's3://orders-backups/backups/orders-prod/exec-a1b2/manifest.json', tables: [] },
  steps: [],
  error: {
    name: 'MigrationError',
    message: 'column "email" of relation "users" already exists',
    migration: '0005',
    file: '0005_add_email.sql',
    line: 2,
  },
};

describe('failure message', () => {
  it('names the database, the migration, the error and where to look', () => {
    const details = failureDetailsFromRunOutput(rolledBack, EXECUTION_ARN, { requestedBy: 'pipeline 7c1e' });

    const { subject, text } = failureMessage(details);

    expect(subject).toBe('[stepmigrate] orders-prod: migration 0005 failed and was rolled back');
    expect(text).toMatch(/Database: +orders-prod\n/);
    expect(text).toMatch(/Failed migration: +0005 \(0005_add_email.sql line 2\)/);
    expect(text).toContain('MigrationError: column "email" of relation "users" already exists');
    expect(text).toContain('The database is back at 0003');
    expect(text).toMatch(/Requested by: +pipeline 7c1e/);
    expect(text).toContain(
      `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${EXECUTION_ARN}`,
    );
    expect(text).toContain('s3://orders-backups/backups/orders-prod/exec-a1b2/manifest.json');
  });

  it('says a failed rollback needs a person, and keeps the subject valid for SNS', () => {
    const details = failureDetailsFromRunOutput(
      {
        ...rolledBack,
        status: 'rollback_failed',
        database: `orders-${'x'.repeat(60)}`,
        error: { name: 'RollbackFailedError', message: 'schema fingerprint differs — café' },
      },
      EXECUTION_ARN,
    );

    const { subject, text } = failureMessage(details);

    expect(text).toContain('CRITICAL');
    expect(text).toContain('Do not start another run');
    expect(subject).toContain('ROLLBACK FAILED');
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('has a chat form with the same facts', () => {
    const chat = failureChatMessage(failureDetailsFromRunOutput(rolledBack, EXECUTION_ARN));

    const body = JSON.stringify(chat);
    expect(chat.text).toContain('orders-prod');
    expect(chat.text).toContain('MigrationError');
    expect(body).toContain('0005 (0005_add_email.sql line 2)');
    expect(body).toContain('console.aws.amazon.com');
  });
});

describe('failure message of a workflow with a database snapshot', () => {
  it('says a snapshot that could not be taken refused the run before any change', () => {
    const { subject, text } = failureMessage(
      failureDetailsFromRunOutput(
        {
          ...rolledBack,
          status: 'failed',
          applied: [],
          rolledBack: [],
          backup: undefined,
          error: {
            name: 'DatabaseSnapshotError',
            message: 'the db-snapshot stepmigrate-0a1b of DB instance orders-db ended with status failed',
          },
        },
        EXECUTION_ARN,
      ),
    );
    expect(subject).toBe('[stepmigrate] orders-prod: run was refused before any change');
    expect(text).toContain(
      'DatabaseSnapshotError: the db-snapshot stepmigrate-0a1b of DB instance orders-db',
    );
    expect(text).toContain('Nothing was changed: the database is still at 0003');
  });

  it('names the snapshot a rolled-back run took, for whoever restores by hand', () => {
    const { text } = failureMessage(
      failureDetailsFromRunOutput(
        {
          ...rolledBack,
          status: 'rollback_failed',
          databaseSnapshot: {
            kind: 'db-cluster-snapshot',
            identifier: 'stepmigrate-0a1b',
            arn: 'arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:stepmigrate-0a1b',
            source: 'orders-cluster',
            createdAt: '2026-11-21T10:15:30.000Z',
          },
        },
        EXECUTION_ARN,
      ),
    );
    expect(text).toMatch(
      /Database snapshot: +db-cluster-snapshot stepmigrate-0a1b of cluster orders-cluster, taken 2026-11-21T10:15:30.000Z\n/,
    );
  });
});
