import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDbLease } from '../../lambdas/adapters/dynamodb-lease.ts';
import { LockedError } from '../../lambdas/engine/errors.ts';
import { type Emulator, startDynamoDb } from '../support/aws-emulators.ts';
import { leaseTableInput } from '../support/dynamodb-tables.ts';

const tableName = 'stepmigrate-lease';
let dynamodb: Emulator<DynamoDBClient>;
let clock = Date.parse('2026-11-21T10:00:00.000Z');
let lease: DynamoDbLease;

beforeAll(async () => {
  dynamodb = await startDynamoDb([leaseTableInput(tableName)]);
  lease = new DynamoDbLease({ client: dynamodb.client, tableName, now: () => clock });
});

afterAll(async () => {
  await dynamodb?.stop();
});

const minute = 60_000;

describe('DynamoDbLease', () => {
  it('refuses a second owner while the lease is held, naming the holder and the expiry', async () => {
    await lease.acquire('orders', 'exec-a', 15 * minute);

    const second = lease.acquire('orders', 'exec-b', 15 * minute);

    await expect(second).rejects.toThrow(LockedError);
    await expect(second).rejects.toThrow(
      'database "orders" is being migrated by exec-a (lease held until 2026-11-21T10:15:00.000Z)',
    );
  });

  it('lets the holder take it again (a retried Validate)', async () => {
    await expect(lease.acquire('orders', 'exec-a', 15 * minute)).resolves.toBeUndefined();
  });

  it('keeps databases apart', async () => {
    await expect(lease.acquire('billing', 'exec-b', 15 * minute)).resolves.toBeUndefined();
  });

  it('ignores a release by someone who does not hold it', async () => {
    await lease.release('orders', 'exec-b');

    await expect(lease.acquire('orders', 'exec-c', minute)).rejects.toThrow('exec-a');
  });

  it('is free again after the holder releases it', async () => {
    await lease.release('orders', 'exec-a');

    await expect(lease.acquire('orders', 'exec-c', minute)).resolves.toBeUndefined();
  });

  it('can be reclaimed once expired, when its holder died without releasing', async () => {
    await lease.acquire('inventory', 'exec-crashed', minute);
    clock += minute;

    await lease.acquire('inventory', 'exec-next', minute);

    await expect(lease.acquire('inventory', 'exec-third', minute)).rejects.toThrow('exec-next');
    await lease.release('inventory', 'exec-crashed'); // the late release of the dead run changes nothing
    await expect(lease.acquire('inventory', 'exec-third', minute)).rejects.toThrow('exec-next');
  });

  it('lets exactly one of many simultaneous runs win', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, index) => lease.acquire('race', `exec-${index}`, minute)),
    );

    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(1);
    const refusals = attempts.filter((attempt) => attempt.status === 'rejected');
    expect(
      refusals.every((attempt) => (attempt as PromiseRejectedResult).reason instanceof LockedError),
    ).toBe(true);
  });
});
