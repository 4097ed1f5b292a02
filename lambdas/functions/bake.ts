// The Bake Lambda: reads the bake alarms; no database.

import { makeBakeHandler } from '../handlers/bake.ts';
import { lambdaEntry } from '../handlers/lambda-entry.ts';

export const handler = lambdaEntry(makeBakeHandler, { alarms: true });
