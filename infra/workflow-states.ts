// The names of the workflow: its states and the step functions they invoke. Kept apart from
// workflow-definition.ts so the local runner and tests can read them without loading CDK.

export type StepFunctionName =
  | 'validate'
  | 'approval'
  | 'backup'
  | 'apply'
  | 'verify'
  | 'bake'
  | 'rollback'
  | 'report';

export const STEP_FUNCTION_NAMES: readonly StepFunctionName[] = [
  'validate',
  'approval',
  'backup',
  'apply',
  'verify',
  'bake',
  'rollback',
  'report',
];

/** Stable state names: they appear in the console, the audit log, metrics and the CLI. */
export const StateName = {
  validate: 'Validate',
  hasChanges: 'HasChanges',
  needsApproval: 'NeedsApproval',
  approval: 'Approval',
  backup: 'Backup',
  apply: 'Apply',
  applyMigration: 'ApplyMigration',
  verify: 'Verify',
  needsBake: 'NeedsBake',
  bake: 'Bake',
  bakeDone: 'BakeDone',
  bakeWait: 'BakeWait',
  rollback: 'Rollback',
  report: 'Report',
  outcome: 'Outcome',
  // The long-running task runner (infra/task-runner.ts): where each step's work goes.
  backupRunner: 'BackupRunner',
  backupOnTask: 'BackupOnTask',
  applyRunner: 'ApplyRunner',
  applyMigrationOnTask: 'ApplyMigrationOnTask',
  rollbackRunner: 'RollbackRunner',
  rollbackOnTask: 'RollbackOnTask',
  // The database snapshot before Backup (infra/database-snapshot.ts), when configured.
  nameDatabaseSnapshot: 'NameDatabaseSnapshot',
  createDatabaseSnapshot: 'CreateDatabaseSnapshot',
  databaseSnapshotWait: 'DatabaseSnapshotWait',
  describeDatabaseSnapshot: 'DescribeDatabaseSnapshot',
  databaseSnapshotReady: 'DatabaseSnapshotReady',
  countDatabaseSnapshotPoll: 'CountDatabaseSnapshotPoll',
  recordDatabaseSnapshot: 'RecordDatabaseSnapshot',
  trimDatabaseSnapshotPoll: 'TrimDatabaseSnapshotPoll',
  databaseSnapshotNotCreated: 'DatabaseSnapshotNotCreated',
  databaseSnapshotFailed: 'DatabaseSnapshotFailed',
  databaseSnapshotTimedOut: 'DatabaseSnapshotTimedOut',
  succeeded: 'Succeeded',
  failed: 'Failed',
} as const;

/** Which step's function each Task state invokes; the local runner binds handlers by it. */
export const TASK_STATE_STEPS: Readonly<Record<string, StepFunctionName>> = {
  [StateName.validate]: 'validate',
  [StateName.approval]: 'approval',
  [StateName.backup]: 'backup',
  [StateName.applyMigration]: 'apply',
  [StateName.verify]: 'verify',
  [StateName.bake]: 'bake',
  [StateName.rollback]: 'rollback',
  [StateName.report]: 'report',
};
