// The Rollback Lambda: the database and the backup bucket (read).

import { loadMigrations } from '../engine/loader/load.ts';
import { rollbackRun } from '../engine/rollback.ts';
import { loadRunSettings } from '../engine/run-settings.ts';
import { loadSqlParser } from '../engine/sql/parse.ts';
import { s3BackupStore } from '../handlers/aws/backup-port.ts';
import { secretsManagerDatabase } from '../handlers/aws/database-port.ts';
import { dataRestorer } from '../handlers/backup-steps.ts';
import { lambdaEntry } from '../handlers/lambda-entry.ts';
import { makeRollbackHandler } from '../handlers/rollback.ts';

export const handler = lambdaEntry(
  makeRollbackHandler,
  {
    database: secretsManagerDatabase,
    backupStore: s3BackupStore,
    migrations: loadMigrations,
    settings: loadRunSettings,
    steps: { dataRestorer, rollbackRun },
  },
  { warmUp: loadSqlParser },
);
