// The run lease of the steps that take or release it: a DynamoDB item per database.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbLease } from '../../adapters/dynamodb-lease.ts';
import type { Lease } from '../../ports.ts';
import { type Env, notConfigured } from './environment.ts';
import { sdkClientConfig } from './sdk-client-config.ts';

export function dynamoDbLease(env: Env): Lease {
  const tableName = env.STEPMIGRATE_LEASE_TABLE;
  if (!tableName) return notConfigured<Lease>('run lease', 'STEPMIGRATE_LEASE_TABLE');
  return new DynamoDbLease({ client: new DynamoDBClient(sdkClientConfig()), tableName });
}
