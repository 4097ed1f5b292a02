// The Apply Lambda: the database and the lease (renewed before each migration).

import { loadMigrations } from '../engine/loader/load.ts';
import { loadRunSettings } from '../engine/run-settings.ts';
import { loadSqlParser } from '../engine/sql/parse.ts';
import { applyPlanStep } from '../engine/steps.ts';
import { makeApplyHandler } from '../handlers/apply.ts';
import { secretsManagerDatabase } from '../handlers/aws/database-port.ts';
import { dynamoDbLease, executionLiveness } from '../handlers/aws/lease-port.ts';
import { lambdaEntry } from '../handlers/lambda-entry.ts';

export const handler = lambdaEntry(
  makeApplyHandler,
  {
    database: secretsManagerDatabase,
    lease: dynamoDbLease,
    holders: executionLiveness,
    migrations: loadMigrations,
    settings: loadRunSettings,
    steps: { applyPlanStep },
  },
  { warmUp: loadSqlParser },
);
