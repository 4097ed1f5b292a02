// The run lease of the steps that take or release it: a DynamoDB item per database, and
// Step Functions to tell whether the execution holding it still runs.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDbLease } from '../../adapters/dynamodb-lease.ts';
import { SfnExecutionLiveness } from '../../adapters/sfn-execution-liveness.ts';
import type { HolderLiveness, Lease } from '../../ports.ts';
import { type Env, notConfigured } from './environment.ts';
import { sdkClientConfig } from './sdk-client-config.ts';

export function dynamoDbLease(env: Env): Lease {
  const tableName = env.STEPMIGRATE_LEASE_TABLE;
  if (!tableName) return notConfigured<Lease>('run lease', 'STEPMIGRATE_LEASE_TABLE');
  return new DynamoDbLease({ client: new DynamoDBClient(sdkClientConfig()), tableName });
}

/** A held lease whose execution has ended is taken over at once, instead of at its expiry. */
export function executionLiveness(): HolderLiveness {
  return new SfnExecutionLiveness(new SFNClient(sdkClientConfig()));
}
