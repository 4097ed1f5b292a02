// What a step that writes or reads backups may do in the backup bucket, for a step Lambda and
// its task-runner role alike: the objects under the prefix, listing only that prefix, and the
// bucket key when it has one. A retried Backup deletes objects its new manifest no longer
// names; with versioning that only adds a delete marker, so no step may delete an object
// version for good.
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';

export function backupAccessStatements(
  bucket: s3.IBucket,
  access: 'write' | 'read',
  prefix: string,
): iam.PolicyStatement[] {
  const write = access === 'write';
  const statements = [
    new iam.PolicyStatement({
      actions: write
        ? ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject', 's3:DeleteObject']
        : ['s3:GetObject'],
      resources: [bucket.arnForObjects(`${prefix}*`)],
    }),
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
    }),
  ];
  const key = bucket.encryptionKey;
  if (key) {
    statements.push(
      new iam.PolicyStatement({
        actions: write ? ['kms:GenerateDataKey', 'kms:Decrypt'] : ['kms:Decrypt'],
        resources: [key.keyArn],
      }),
    );
  }
  return statements;
}
