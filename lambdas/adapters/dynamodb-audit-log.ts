// The AuditLog port on DynamoDB: one item per step event, never updated or deleted. The key
// design (newest-first per database, per execution through a GSI) is in dynamodb-schema.ts.
import { randomBytes } from 'node:crypto';
import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { AuditLog, AuditQuery, AuditRecord } from '../ports.ts';
import {
  AUDIT_EXECUTION_INDEX,
  AUDIT_EXECUTION_KEY,
  AUDIT_PARTITION_KEY,
  AUDIT_SORT_KEY,
} from './dynamodb-schema.ts';

export interface DynamoDbAuditLogOptions {
  client: DynamoDBClient;
  tableName: string;
}

/** DynamoDB items are at most 400 KB; a record bigger than this loses its `detail`. */
const MAX_RECORD_BYTES = 350_000;

type Item = Record<string, AttributeValue>;

export class DynamoDbAuditLog implements AuditLog {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;

  constructor(options: DynamoDbAuditLogOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async append(record: AuditRecord): Promise<void> {
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: toItem(record) }));
  }

  async list(query: AuditQuery): Promise<AuditRecord[]> {
    if (query.executionId !== undefined) {
      return this.query(
        {
          IndexName: AUDIT_EXECUTION_INDEX,
          KeyConditionExpression: '#key = :key',
          ExpressionAttributeNames: { '#key': AUDIT_EXECUTION_KEY },
          ExpressionAttributeValues: { ':key': { S: query.executionId } },
        },
        query.database === undefined ? undefined : (record) => record.database === query.database,
        query.limit,
      );
    }
    if (query.database !== undefined) {
      return this.query(
        {
          KeyConditionExpression: '#key = :key',
          ExpressionAttributeNames: { '#key': AUDIT_PARTITION_KEY },
          ExpressionAttributeValues: { ':key': { S: query.database } },
        },
        undefined,
        query.limit,
      );
    }
    return this.scanNewestFirst(query.limit);
  }

  /** Pages through a Query newest first until `limit` records matched `keep`. */
  private async query(
    input: Omit<QueryCommandInput, 'TableName'>,
    keep: ((record: AuditRecord) => boolean) | undefined,
    limit: number | undefined,
  ): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          ...input,
          TableName: this.tableName,
          ScanIndexForward: false,
          ExclusiveStartKey: startKey,
          Limit: limit === undefined ? undefined : Math.max(limit - records.length, 1),
        }),
      );
      for (const item of page.Items ?? []) {
        const record = fromItem(item);
        if (!keep || keep(record)) records.push(record);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && (limit === undefined || records.length < limit));
    return limit === undefined ? records : records.slice(0, limit);
  }

  /** Without a database or execution there is no key to query: read all and sort. */
  private async scanNewestFirst(limit: number | undefined): Promise<AuditRecord[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: startKey }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    items.sort((a, b) => sortKeyOf(b).localeCompare(sortKeyOf(a)));
    return (limit === undefined ? items : items.slice(0, limit)).map(fromItem);
  }
}

/** "<at>#<executionId>#<step>#<event>#<nonce>": ISO timestamps sort as text in time order. */
function auditSortKey(record: AuditRecord, nonce = randomBytes(4).toString('hex')): string {
  return `${record.at}#${record.executionId}#${record.step}#${record.event}#${nonce}`;
}

function toItem(record: AuditRecord): Item {
  let body = JSON.stringify(record);
  if (Buffer.byteLength(body) > MAX_RECORD_BYTES) {
    body = JSON.stringify({
      ...record,
      detail: { truncated: `detail dropped: record exceeded ${MAX_RECORD_BYTES} bytes` },
    });
  }
  const item: Item = {
    [AUDIT_PARTITION_KEY]: { S: record.database },
    [AUDIT_SORT_KEY]: { S: auditSortKey(record) },
    [AUDIT_EXECUTION_KEY]: { S: record.executionId },
    step: { S: record.step },
    event: { S: record.event },
    at: { S: record.at },
    record: { S: body },
  };
  // Plain attributes too, so the table reads well in the console and can be filtered there.
  if (record.durationMs !== undefined) item.durationMs = { N: String(record.durationMs) };
  if (record.requestedBy !== undefined) item.requestedBy = { S: record.requestedBy };
  if (record.error !== undefined) item.errorName = { S: record.error.name };
  return item;
}

function fromItem(item: Item): AuditRecord {
  const body = item.record?.S;
  if (body === undefined) {
    throw new Error(
      `audit item ${sortKeyOf(item)} has no "record" attribute: it was not written by stepmigrate`,
    );
  }
  return JSON.parse(body) as AuditRecord;
}

function sortKeyOf(item: Item): string {
  return item[AUDIT_SORT_KEY]?.S ?? '';
}
