// The Backup Lambda: the database and the backup bucket (write).

import { pgCopyStreams } from '../adapters/pg-copy-streams.ts';
import { s3BackupStore } from '../handlers/aws/backup-port.ts';
import { secretsManagerDatabase } from '../handlers/aws/database-port.ts';
import { makeBackupHandler } from '../handlers/backup.ts';
import { backupRun } from '../handlers/backup-steps.ts';
import { lambdaEntry } from '../handlers/lambda-entry.ts';

export const handler = lambdaEntry(makeBackupHandler, {
  database: (env, name) => secretsManagerDatabase(env, name, pgCopyStreams),
  backupStore: s3BackupStore,
  steps: { backupRun },
});
