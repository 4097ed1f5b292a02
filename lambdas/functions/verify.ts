// The Verify Lambda: the database only.

import { loadMigrations } from '../engine/loader/load.ts';
import { loadRunSettings } from '../engine/run-settings.ts';
import { loadSqlParser } from '../engine/sql/parse.ts';
import { verifyRun } from '../engine/steps.ts';
import { secretsManagerDatabase } from '../handlers/aws/database-port.ts';
import { lambdaEntry } from '../handlers/lambda-entry.ts';
import { makeVerifyHandler } from '../handlers/verify.ts';

export const handler = lambdaEntry(
  makeVerifyHandler,
  {
    database: secretsManagerDatabase,
    migrations: loadMigrations,
    settings: loadRunSettings,
    steps: { verifyRun },
  },
  { warmUp: loadSqlParser },
);
