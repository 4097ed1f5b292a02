// The names the database snapshot states share with the local runner, kept apart from CDK
// (like workflow-states.ts) so cli/local-runner can read them without loading aws-cdk-lib.

/** Every snapshot identifier the workflow creates starts with this; the IAM grants name it. */
export const SNAPSHOT_IDENTIFIER_PREFIX = 'stepmigrate-';

/** The tags each snapshot gets, so a person can find a run's snapshot in the console. */
export const SnapshotTag = {
  execution: 'stepmigrate:execution',
  database: 'stepmigrate:database',
} as const;

/** The only snapshot status that is still on its way to `available`; any other one is a failure. */
export const SNAPSHOT_IN_PROGRESS_STATUS = 'creating';

/** Where the poll loop keeps the identifier, the polls so far and the last DescribeDB*Snapshots answer. */
export const SNAPSHOT_POLL_PATH = '$.databaseSnapshotPoll';
