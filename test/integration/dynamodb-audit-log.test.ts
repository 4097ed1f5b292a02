import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDbAuditLog } from '../../lambdas/adapters/dynamodb-audit-log.ts';
import type { AuditRecord } from '../../lambdas/ports.ts';
import { type Emulator, startDynamoDb } from '../support/aws-emulators.ts';
import { auditTableInput } from '../support/dynamodb-tables.ts';

const tableName = 'stepmigrate-audit';
let dynamodb: Emulator<DynamoDBClient>;
let auditLog: DynamoDbAuditLog;

const exec = (name: string) => `arn:aws:states:eu-west-1:123456789012:execution:stepmigrate:${name}`;

function record(overrides: Partial<AuditRecord> & Pick<AuditRecord, 'at'>): AuditRecord {
  return { executionId: exec('run-1'), database: 'orders', step: 'Validate', event: 'started', ...overrides };
}

beforeAll(async () => {
  dynamodb = await startDynamoDb([auditTableInput(tableName)]);
  auditLog = new DynamoDbAuditLog({ client: dynamodb.client, tableName });
  // Two runs on "orders", interleaved with one on "billing"; written out of time order.
  const records: AuditRecord[] = [
    record({
      at: '2026-11-21T10:00:02.000Z',
      step: 'Apply',
      event: 'succeeded',
      migrations: ['0004'],
      durationMs: 812,
    }),
    record({ at: '2026-11-21T10:00:00.000Z' }),
    record({
      at: '2026-11-21T10:00:01.000Z',
      step: 'Apply',
      checksums: { '0004': 'ab12' },
      migrations: ['0004'],
    }),
    record({
      at: '2026-11-21T11:00:00.000Z',
      executionId: exec('run-2'),
      step: 'Validate',
      event: 'failed',
      requestedBy: 'pipeline 42',
      error: { name: 'LockedError', message: 'database "orders" is being migrated by run-1' },
    }),
    record({ at: '2026-11-21T10:30:00.000Z', executionId: exec('run-3'), database: 'billing' }),
  ];
  for (const item of records) await auditLog.append(item);
});

afterAll(async () => {
  await dynamodb?.stop();
});

describe('DynamoDbAuditLog', () => {
  it('lists one database newest first, limited', async () => {
    const newest = await auditLog.list({ database: 'orders', limit: 2 });

    expect(newest.map((entry) => entry.at)).toEqual(['2026-11-21T11:00:00.000Z', '2026-11-21T10:00:02.000Z']);
  });

  it('gives back every field that was appended', async () => {
    const [failed] = await auditLog.list({ database: 'orders', limit: 1 });

    expect(failed).toEqual({
      executionId: exec('run-2'),
      database: 'orders',
      step: 'Validate',
      event: 'failed',
      at: '2026-11-21T11:00:00.000Z',
      requestedBy: 'pipeline 42',
      error: { name: 'LockedError', message: 'database "orders" is being migrated by run-1' },
    });
  });

  it('lists one execution through the index, newest first', async () => {
    const events = await auditLog.list({ executionId: exec('run-1') });

    expect(events.map((entry) => `${entry.step}:${entry.event}`)).toEqual([
      'Apply:succeeded',
      'Apply:started',
      'Validate:started',
    ]);
    expect(events[1]?.checksums).toEqual({ '0004': 'ab12' });
  });

  it('keeps two events of the same step and millisecond apart', async () => {
    const same = record({ at: '2026-11-21T12:00:00.000Z', executionId: exec('run-4'), step: 'Apply' });
    await auditLog.append(same);
    await auditLog.append({ ...same, migrations: ['0005'] });

    expect(await auditLog.list({ executionId: exec('run-4') })).toHaveLength(2);
  });

  it('lists every database newest first when no key is given', async () => {
    const all = await auditLog.list({ limit: 3 });

    expect(all.map((entry) => [entry.database, entry.at])).toEqual([
      ['orders', '2026-11-21T12:00:00.000Z'],
      ['orders', '2026-11-21T12:00:00.000Z'],
      ['orders', '2026-11-21T11:00:00.000Z'],
    ]);
  });

  it('returns nothing for a database without records', async () => {
    expect(await auditLog.list({ database: 'nobody' })).toEqual([]);
  });
});
