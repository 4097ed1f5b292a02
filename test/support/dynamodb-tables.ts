// The CreateTable inputs of the audit and lease tables, with the same key design the CDK
// stack deploys (lambdas/adapters/dynamodb-schema.ts).
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import {
  AUDIT_EXECUTION_INDEX,
  AUDIT_EXECUTION_KEY,
  AUDIT_PARTITION_KEY,
  AUDIT_SORT_KEY,
  LEASE_PARTITION_KEY,
} from '../../lambdas/adapters/dynamodb-schema.ts';

export function auditTableInput(TableName: string): CreateTableCommandInput {
  return {
    TableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: AUDIT_PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: AUDIT_SORT_KEY, AttributeType: 'S' },
      { AttributeName: AUDIT_EXECUTION_KEY, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: AUDIT_PARTITION_KEY, KeyType: 'HASH' },
      { AttributeName: AUDIT_SORT_KEY, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: AUDIT_EXECUTION_INDEX,
        KeySchema: [
          { AttributeName: AUDIT_EXECUTION_KEY, KeyType: 'HASH' },
          { AttributeName: AUDIT_SORT_KEY, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

export function leaseTableInput(TableName: string): CreateTableCommandInput {
  return {
    TableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: LEASE_PARTITION_KEY, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: LEASE_PARTITION_KEY, KeyType: 'HASH' }],
  };
}
