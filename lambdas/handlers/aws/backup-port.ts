// The backup store of Backup (writes) and Rollback (reads): S3, under the configured prefix.
import { S3Client } from '@aws-sdk/client-s3';
import { S3BackupStore } from '../../adapters/s3-backup-store.ts';
import type { BackupStore } from '../../ports.ts';
import { type Env, notConfigured } from './environment.ts';
import { s3ClientConfig } from './sdk-client-config.ts';

export function s3BackupStore(env: Env): BackupStore {
  const bucket = env.STEPMIGRATE_BACKUP_BUCKET;
  if (!bucket) return notConfigured<BackupStore>('backup bucket', 'STEPMIGRATE_BACKUP_BUCKET');
  return new S3BackupStore({
    client: new S3Client(s3ClientConfig()),
    bucket,
    prefix: env.STEPMIGRATE_BACKUP_PREFIX,
  });
}
