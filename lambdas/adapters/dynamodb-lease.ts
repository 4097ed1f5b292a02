// The Lease port on DynamoDB: one item per database, taken and given back with conditional
// writes only (no transactions, no TTL — an expired lease is simply reclaimable), so a second
// execution fails fast at Validate instead of queueing behind the first. The owner is the
// execution ARN: the engine asks Step Functions whether it still runs before a takeover.
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { LockedError } from '../engine/errors.ts';
import type { Lease, LeaseHolder } from '../ports.ts';
import { LEASE_PARTITION_KEY } from './dynamodb-schema.ts';

export interface DynamoDbLeaseOptions {
  client: DynamoDBClient;
  tableName: string;
  now?: () => number;
}

/** The lease item `owner` writes at `now`, good for `ttlMs`. */
function leaseItem(key: string, owner: string, now: number, ttlMs: number) {
  return {
    [LEASE_PARTITION_KEY]: { S: key },
    owner: { S: owner },
    expiresAt: { N: String(now + ttlMs) },
    acquiredAt: { S: new Date(now).toISOString() },
  };
}

export class DynamoDbLease implements Lease {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly now: () => number;

  constructor(options: DynamoDbLeaseOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.now = options.now ?? Date.now;
  }

  /** Takes the lease when it is free, expired, or already ours (a retried Validate). */
  async acquire(key: string, owner: string, ttlMs: number): Promise<void> {
    const now = this.now();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: leaseItem(key, owner, now, ttlMs),
          ConditionExpression: 'attribute_not_exists(#key) OR #expiresAt <= :now OR #owner = :owner',
          ExpressionAttributeNames: {
            '#key': LEASE_PARTITION_KEY,
            '#expiresAt': 'expiresAt',
            '#owner': 'owner',
          },
          ExpressionAttributeValues: { ':now': { N: String(now) }, ':owner': { S: owner } },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw await this.lockedError(key, error);
    }
  }

  async release(key: string, owner: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { [LEASE_PARTITION_KEY]: { S: key } },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': { S: owner } },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async holder(key: string): Promise<LeaseHolder | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [LEASE_PARTITION_KEY]: { S: key } },
        ConsistentRead: true,
      }),
    );
    if (Item?.owner?.S === undefined) return undefined;
    const expiresAt = Item.expiresAt?.N === undefined ? 0 : Number(Item.expiresAt.N);
    return { owner: Item.owner.S, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** Replaces `from` as the holder, only if it still holds the lease (conditional write). */
  async takeOver(key: string, from: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...leaseItem(key, owner, now, ttlMs), takenOverFrom: { S: from } },
          ConditionExpression: '#owner = :from',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':from': { S: from } },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  private async lockedError(key: string, cause: unknown): Promise<LockedError> {
    const found = await this.holder(key);
    const holder = found?.owner ?? 'another execution';
    const expiresAt = found?.expiresAt;
    return new LockedError(
      `database "${key}" is being migrated by ${holder}` +
        (expiresAt ? ` (lease held until ${expiresAt})` : '') +
        ' — wait for that execution to finish; if it is gone, its lease expires on its own and the next run can start',
      { cause },
    );
  }
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException'
  );
}
