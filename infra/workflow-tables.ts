// The audit table (kept forever, the record of who changed which database when) and the
// lease table (one short-lived item per database while a run holds it). Key design:
// lambdas/adapters/dynamodb-schema.ts.
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import {
  AUDIT_EXECUTION_INDEX,
  AUDIT_EXECUTION_KEY,
  AUDIT_PARTITION_KEY,
  AUDIT_SORT_KEY,
  LEASE_PARTITION_KEY,
} from '../lambdas/adapters/dynamodb-schema.ts';

const BACKUP_PLAN_REASON =
  'Point-in-time recovery is on (35 days of continuous backups); an AWS Backup plan is an account-level ' +
  'decision left to the operator and can target this table by tag.';

export function createAuditTable(scope: Construct, id: string, removalPolicy: RemovalPolicy): dynamodb.Table {
  const table = new dynamodb.Table(scope, id, {
    partitionKey: { name: AUDIT_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
    sortKey: { name: AUDIT_SORT_KEY, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    removalPolicy,
    deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
  });
  table.addGlobalSecondaryIndex({
    indexName: AUDIT_EXECUTION_INDEX,
    partitionKey: { name: AUDIT_EXECUTION_KEY, type: dynamodb.AttributeType.STRING },
    sortKey: { name: AUDIT_SORT_KEY, type: dynamodb.AttributeType.STRING },
    projectionType: dynamodb.ProjectionType.ALL,
  });
  Validations.of(table).acknowledge({ id: 'AwsSolutions-DDB4', reason: BACKUP_PLAN_REASON });
  return table;
}

export function createLeaseTable(scope: Construct, id: string): dynamodb.Table {
  const table = new dynamodb.Table(scope, id, {
    partitionKey: { name: LEASE_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    // Holds only who runs right now; an expired lease is as good as none, so nothing is lost.
    removalPolicy: RemovalPolicy.DESTROY,
  });
  Validations.of(table).acknowledge({
    id: 'AwsSolutions-DDB4',
    reason:
      'The lease table holds only the current run per database, which expires within minutes; there is nothing to back up.',
  });
  return table;
}
