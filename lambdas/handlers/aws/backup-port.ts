// The backup store of Backup (writes) and Rollback (reads): S3, under the configured prefix.
import { S3Client } from '@aws-sdk/client-s3';
import { S3BackupReader, type S3BackupReaderOptions } from '../../adapters/s3-backup-reader.ts';
import { S3BackupStore } from '../../adapters/s3-backup-store.ts';
import type { BackupStore } from '../../ports.ts';
import { type Env, notConfigured } from './environment.ts';
import { s3ClientConfig } from './sdk-client-config.ts';

/** Backup's store, and the task runner's, which also backs up. */
export function s3BackupStore(env: Env): BackupStore {
  return s3Store(env, (options) => new S3BackupStore(options));
}

/** Rollback's: reads only, and its bundle leaves out the multipart upload. */
export function s3BackupReader(env: Env): BackupStore {
  return s3Store(env, (options) => new S3BackupReader(options));
}

function s3Store(env: Env, open: (options: S3BackupReaderOptions) => BackupStore): BackupStore {
  const bucket = env.STEPMIGRATE_BACKUP_BUCKET;
  if (!bucket) return notConfigured<BackupStore>('backup bucket', 'STEPMIGRATE_BACKUP_BUCKET');
  return open({ client: new S3Client(s3ClientConfig()), bucket, prefix: env.STEPMIGRATE_BACKUP_PREFIX });
}
