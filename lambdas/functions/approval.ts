// The Approval Lambda: publishes to the topic; no database.

import { makeApprovalHandler } from '../handlers/approval.ts';
import { snsApprovalNotifier } from '../handlers/aws/approval-port.ts';
import { lambdaEntry } from '../handlers/lambda-entry.ts';

export const handler = lambdaEntry(makeApprovalHandler, { approval: snsApprovalNotifier });
