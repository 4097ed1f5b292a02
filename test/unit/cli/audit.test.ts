import { DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { showAudit } from '../../../cli/commands/audit.ts';
import { DynamoDbAuditLog } from '../../../lambdas/adapters/dynamodb-audit-log.ts';
import type { AuditRecord } from '../../../lambdas/ports.ts';
import { EXECUTION_ARN, sinkForTest } from './fake-execution.ts';

const records: AuditRecord[] = [
  {
    executionId: EXECUTION_ARN,
    database: 'orders-prod',
    step: 'Validate',
    event: 'started',
    at: '2026-11-21T10:15:00.000Z',
  },
  {
    executionId: EXECUTION_ARN,
    database: 'orders-prod',
    step: 'Validate',
    event: 'succeeded',
    at: '2026-11-21T10:15:01.200Z',
    durationMs: 1200,
    migrations: ['0004', '0005'],
  },
  {
    executionId: EXECUTION_ARN,
    database: 'orders-prod',
    step: 'Apply',
    event: 'failed',
    at: '2026-11-21T10:15:02.000Z',
    durationMs: 120,
    migrations: ['0005'],
    error: { name: 'MigrationError', message: 'column "email" of relation "users" already exists' },
  },
];

function item(record: AuditRecord) {
  return {
    database: { S: record.database },
    sk: { S: `${record.at}#${record.executionId}#${record.step}#${record.event}#0000` },
    executionId: { S: record.executionId },
    record: { S: JSON.stringify(record) },
  };
}

function dynamoAuditLog() {
  const client = new DynamoDBClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const mock = mockClient(client);
  const newestFirst = [...records].reverse().map(item);
  mock.on(QueryCommand).resolves({ Items: newestFirst });
  mock.on(ScanCommand).resolves({ Items: newestFirst });
  return { auditLog: new DynamoDbAuditLog({ client, tableName: 'orders-audit' }), mock };
}

describe('stepmigrate audit', () => {
  it('prints a timeline table oldest first from the DynamoDB audit table', async () => {
    const { auditLog, mock } = dynamoAuditLog();
    const sink = sinkForTest();

    await showAudit({ database: 'orders-prod', limit: 10 }, { auditLog, sink });

    const [header, ...rows] = sink.stdout;
    expect(header).toMatch(/^time \(UTC\) +execution +step +event +duration +migrations +error$/);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain(
      '2026-11-21 10:15:00  orders-prod-latest-20261121T101500-a1b2  Validate  started',
    );
    expect(rows[1]).toMatch(/Validate +succeeded +1\.2 s +0004,0005/);
    expect(rows[2]).toContain('MigrationError: column "email" of relation "users" already exists');
    const query = mock.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(query.ExpressionAttributeValues).toEqual({ ':key': { S: 'orders-prod' } });
  });

  it('finds an execution by its name as well as its ARN', async () => {
    const { auditLog } = dynamoAuditLog();
    const sink = sinkForTest();

    await showAudit({ execution: 'orders-prod-latest-20261121T101500-a1b2', json: true }, { auditLog, sink });

    expect(JSON.parse(sink.stdout[0]!)).toHaveLength(3);
  });

  it('explains a missing table with its name', async () => {
    const { auditLog, mock } = dynamoAuditLog();
    mock.on(QueryCommand).rejects(
      Object.assign(new Error('Requested resource not found'), {
        name: 'ResourceNotFoundException',
        $metadata: {},
      }),
    );

    const attempt = showAudit(
      { database: 'orders-prod' },
      { auditLog, sink: sinkForTest(), call: { action: 'dynamodb:Query', resource: 'table orders-audit' } },
    );

    await expect(attempt).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('table orders-audit not found'),
    });
  });
});
