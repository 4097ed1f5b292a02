// The key design of the two DynamoDB tables, shared by the CDK stack that creates them and
// the adapters that read and write them, so the two cannot drift apart.
//
// Audit table — one item per step event:
//   partition key `database`, sort key `sk` = "<at>#<executionId>#<step>#<event>#<nonce>".
//   `at` is an ISO-8601 UTC timestamp, and those sort as text in time order, so
//   Query(database = D, ScanIndexForward = false, Limit = N) is `audit --database D --limit N`,
//   newest first. The nonce keeps two events of the same millisecond apart.
//   Global secondary index `byExecution`: partition key `executionId`, sort key `sk` — every
//   event of one execution in time order (`audit --execution X`).
//
// Lease table — one item per target database while a run holds it:
//   partition key `database`; attributes `owner` (the execution id) and `expiresAt`
//   (epoch milliseconds). Taken and given back with conditional writes only: the emulators
//   we test against have neither transactions nor TTL, and a lease must not depend on either.

export const AUDIT_PARTITION_KEY = 'database';
export const AUDIT_SORT_KEY = 'sk';
export const AUDIT_EXECUTION_INDEX = 'byExecution';
export const AUDIT_EXECUTION_KEY = 'executionId';

export const LEASE_PARTITION_KEY = 'database';
