// The Rollback Lambda: the database and the backup bucket (read).

import { pgCopyStreams } from '../adapters/pg-copy-streams.ts';
import { loadMigrations } from '../engine/loader/load.ts';
import { rollbackRun } from '../engine/rollback.ts';
import { loadRunSettings } from '../engine/run-settings.ts';
import { loadSqlParser } from '../engine/sql/parse.ts';
import { s3BackupReader } from '../handlers/aws/backup-port.ts';
import { secretsManagerDatabase } from '../handlers/aws/database-port.ts';
import { dataRestorer } from '../handlers/backup-steps.ts';
import { lambdaEntry } from '../handlers/lambda-entry.ts';
import { makeRollbackHandler } from '../handlers/rollback.ts';

export const handler = lambdaEntry(
  makeRollbackHandler,
  {
    database: (env, name) => secretsManagerDatabase(env, name, pgCopyStreams),
    backupStore: s3BackupReader,
    migrations: loadMigrations,
    settings: loadRunSettings,
    steps: { dataRestorer, rollbackRun },
  },
  { warmUp: loadSqlParser },
);
