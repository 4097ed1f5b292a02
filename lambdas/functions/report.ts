// The Report Lambda: gives the lease back; no database.

import { releaseRun } from '../engine/release.ts';
import { dynamoDbLease } from '../handlers/aws/lease-port.ts';
import { lambdaEntry } from '../handlers/lambda-entry.ts';
import { makeReportHandler } from '../handlers/report.ts';

export const handler = lambdaEntry(makeReportHandler, { lease: dynamoDbLease, steps: { releaseRun } });
