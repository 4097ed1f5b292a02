// The whole-database safety net: an RDS DB snapshot or an Aurora cluster snapshot that the
// state machine takes (through the Step Functions AWS SDK integration, no Lambda) before the
// table backup. The engine only carries its record: into the backup manifest, the audit log
// and the run output, so whoever restores knows which snapshot belongs to which run.

/** `db-snapshot` (RDS for PostgreSQL) or `db-cluster-snapshot` (Aurora PostgreSQL). */
export type DatabaseSnapshotKind = 'db-snapshot' | 'db-cluster-snapshot';

/** What the workflow recorded about the snapshot it took, once it was available. */
export interface DatabaseSnapshotRecord {
  kind: DatabaseSnapshotKind;
  /** The snapshot identifier (`stepmigrate-<md5 of the execution ARN>`). */
  identifier: string;
  arn: string;
  /** The DB instance or Aurora cluster it is a snapshot of. */
  source: string;
  /** SnapshotCreateTime as RDS reports it. */
  createdAt: string;
}

/** One line for people: "db-snapshot stepmigrate-… of orders-db, taken 2026-…". */
export function describeDatabaseSnapshot(record: DatabaseSnapshotRecord): string {
  const of = record.kind === 'db-cluster-snapshot' ? 'cluster' : 'instance';
  return `${record.kind} ${record.identifier} of ${of} ${record.source}, taken ${record.createdAt}`;
}
