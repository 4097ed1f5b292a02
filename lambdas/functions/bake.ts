// The Bake Lambda: reads the bake alarms; no database.

import { cloudWatchAlarms } from '../handlers/aws/alarms-port.ts';
import { makeBakeHandler } from '../handlers/bake.ts';
import { lambdaEntry } from '../handlers/lambda-entry.ts';

export const handler = lambdaEntry(makeBakeHandler, { alarms: cloudWatchAlarms });
