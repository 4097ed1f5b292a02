// The Validate Lambda: the database and the lease.

import { loadMigrations } from '../engine/loader/load.ts';
import { loadProjectSettings } from '../engine/project-settings.ts';
import { loadSqlParser } from '../engine/sql/parse.ts';
import { validateRun } from '../engine/steps.ts';
import { secretsManagerDatabase } from '../handlers/aws/database-port.ts';
import { dynamoDbLease, executionLiveness } from '../handlers/aws/lease-port.ts';
import { lambdaEntry } from '../handlers/lambda-entry.ts';
import { makeValidateHandler } from '../handlers/validate.ts';

export const handler = lambdaEntry(
  makeValidateHandler,
  {
    database: secretsManagerDatabase,
    lease: dynamoDbLease,
    holders: executionLiveness,
    migrations: loadMigrations,
    settings: loadProjectSettings,
    steps: { validateRun },
  },
  { warmUp: loadSqlParser },
);
