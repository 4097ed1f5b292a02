// The S3 bucket that holds the table backups Backup writes before a destructive migration
// (DESIGN §1.4): encrypted, TLS-only, versioned, never public, expiring, kept on stack delete.
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface BackupBucketProps {
  readonly retentionDays: number;
  readonly removalPolicy: RemovalPolicy;
  readonly encryptionKey?: kms.IKey;
}

export class BackupBucket extends Construct {
  readonly bucket: s3.Bucket;
  /** Where S3 writes the server access logs of `bucket`: who read or wrote which backup. */
  readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: BackupBucketProps) {
    super(scope, id);
    // Deliver access logs through a bucket policy instead of the deprecated LogDeliveryWrite
    // ACL, whatever the app's feature flags say.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1) {
      throw new Error(`backupRetentionDays must be a whole number of days >= 1, got ${props.retentionDays}`);
    }
    const expiry: s3.LifecycleRule = {
      id: 'ExpireBackups',
      expiration: Duration.days(props.retentionDays),
      noncurrentVersionExpiration: Duration.days(props.retentionDays),
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    };
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      // Server access logs can only be delivered to a bucket with S3-managed keys.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'ExpireAccessLogs', expiration: Duration.days(Math.max(props.retentionDays, 90)) },
      ],
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket of the backup bucket; logging it into another bucket would only move ' +
        'the same finding one bucket further.',
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: props.encryptionKey !== undefined,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [expiry],
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'backup-bucket/',
      removalPolicy: props.removalPolicy,
    });
  }
}
