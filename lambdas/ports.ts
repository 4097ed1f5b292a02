// The narrow interfaces the engine needs from the world. Nothing here is AWS- or
// pg-specific: adapters in lambdas/adapters/ implement them (pg, S3, DynamoDB,
// CloudWatch, SNS, local files), and unit tests pass in-memory versions.
import type { Readable, Writable } from 'node:stream';
import type { ErrorSummary } from './engine/errors.ts';
import type { Plan } from './engine/model.ts';

// ---- database -------------------------------------------------------------------

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

/** One open connection to the target database. */
export interface SqlConnection {
  /**
   * Runs SQL. Without params, several `;`-separated statements may be sent at once
   * (simple query protocol); with params, exactly one statement.
   */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /**
   * Runs statements without parameters in one round trip and returns each one's result, in
   * order: for independent reads that would otherwise wait for each other. They run as one
   * implicit transaction, so the first that fails stops the rest and the call rejects with
   * its error.
   */
  queryEach(statements: readonly string[]): Promise<QueryResult<Record<string, unknown>>[]>;
  /** `COPY … TO STDOUT` as a byte stream. */
  copyTo(sql: string): Readable;
  /** `COPY … FROM STDIN`; resolves when the server has accepted every byte written. */
  copyFrom(sql: string): Writable;
  /** The server process id of this connection (`pg_backend_pid()`). */
  readonly processId: number;
}

export interface Database {
  /** The database name, for messages and the audit log. Never contains credentials. */
  readonly name: string;
  /** Opens a dedicated connection for `fn` and always releases it, even when `fn` throws. */
  withConnection<T>(fn: (connection: SqlConnection) => Promise<T>): Promise<T>;
  /** Closes every connection the adapter holds. */
  close(): Promise<void>;
}

// ---- backups -------------------------------------------------------------------

export interface StoredObject {
  key: string;
  bytes: number;
  /** "s3://bucket/key" or an absolute file path: what a person types to find it. */
  location: string;
  modifiedAt?: string;
}

export interface PutOptions {
  /**
   * true: the object may still be in the operating system's cache when `put` resolves, and
   * only `sync()` makes it durable — one flush for many objects instead of one each. A
   * backup defers its table objects and syncs before it writes the manifest, so a manifest
   * never names an object a crash could lose. @default false
   */
  deferSync?: boolean;
}

export interface BackupStore {
  /** Streams `body` to `key`, replacing what was there (so a retried step does not duplicate). */
  put(key: string, body: Readable, options?: PutOptions): Promise<StoredObject>;
  /** Makes every object put with `deferSync` durable. Stores whose puts are always durable (S3) leave it out. */
  sync?(): Promise<void>;
  /** Reads `key` back. Throws BackupError naming the key when it does not exist. */
  get(key: string): Promise<Readable>;
  list(prefix: string): Promise<StoredObject[]>;
  delete(keys: readonly string[]): Promise<void>;
}

// ---- audit, metrics, alarms -------------------------------------------------------

export type StepName =
  | 'Validate'
  | 'Approval'
  | 'Backup'
  | 'Apply'
  | 'Verify'
  | 'Bake'
  | 'Rollback'
  | 'Report';

export type AuditEvent = 'started' | 'succeeded' | 'failed' | 'retried' | 'repaired';

export interface AuditRecord {
  executionId: string;
  database: string;
  step: StepName | 'Repair';
  event: AuditEvent;
  /** ISO-8601 time of the event. */
  at: string;
  durationMs?: number;
  /** Migration versions the event is about. */
  migrations?: string[];
  /** version → checksum of the migrations involved. */
  checksums?: Record<string, string>;
  requestedBy?: string;
  error?: ErrorSummary;
  /** Anything else worth keeping: lint:allow reasons, backup keys, retry counts… */
  detail?: Record<string, unknown>;
}

export interface AuditQuery {
  database?: string;
  executionId?: string;
  limit?: number;
}

export interface AuditLog {
  append(record: AuditRecord): Promise<void>;
  /** Newest first. */
  list(query: AuditQuery): Promise<AuditRecord[]>;
}

export type MetricName =
  | 'RunSucceeded'
  | 'RunFailed'
  | 'RolledBack'
  | 'RollbackFailed'
  | 'MigrationsApplied'
  | 'RunDurationMs'
  | 'StepDurationMs'
  /** A step invocation failed (dimensions Database, Step); retried attempts count too. */
  | 'StepErrors'
  | 'BackupBytes'
  | 'LockRetries';

export interface MetricDatum {
  name: MetricName;
  value: number;
  unit: 'Count' | 'Milliseconds' | 'Bytes';
  /** Always has `Database`; `StepDurationMs` also has `Step`. */
  dimensions: Record<string, string>;
}

export interface Metrics {
  put(data: readonly MetricDatum[]): Promise<void>;
}

export interface AlarmReader {
  /** The names among `names` whose alarm is in ALARM state now. */
  alarmsInAlarm(names: readonly string[]): Promise<string[]>;
}

// ---- concurrency and approval ------------------------------------------------------

/** Who holds a run lease: the execution, and where it runs when the runner knows. */
export interface LeaseHolder {
  /** The execution id (on AWS the execution ARN). */
  owner: string;
  /** ISO-8601 time the lease expires unless renewed. */
  expiresAt: string;
  /** A local runner's host name, process id and process start time (clock ticks since boot, /proc). */
  host?: string;
  pid?: number;
  processStart?: string;
  /** The holder's PID namespace (/proc/self/ns/pid): containers on one host may share a host name and pids. */
  pidNamespace?: string;
}

export interface Lease {
  /** Takes the lease on `key` for `ttlMs`, or throws LockedError naming the holder. */
  acquire(key: string, owner: string, ttlMs: number): Promise<void>;
  /** Gives it back; a no-op when `owner` does not hold it. */
  release(key: string, owner: string): Promise<void>;
  /** Who holds the lease on `key` now (expired or not), or undefined when nobody does. */
  holder(key: string): Promise<LeaseHolder | undefined>;
  /** Takes the lease from `from`, whose run is gone; false when the lease changed hands meanwhile. */
  takeOver(key: string, from: string, owner: string, ttlMs: number): Promise<boolean>;
  /**
   * For a lease kept in the target database itself: the conditional write `acquire` makes, as
   * one data-modifying SQL statement with its values written in as literals (it is sent with
   * other statements in one round trip, where parameters cannot go). It returns a row when the
   * lease is now `owner`'s and none when another run holds it. A lease kept elsewhere has none.
   */
  renewalStatement?(key: string, owner: string, ttlMs: number): string;
}

/**
 * Whether a lease's holder still runs: a local process (pid and start time) or an AWS
 * execution (DescribeExecution). undefined when it cannot tell — then only expiry frees it.
 */
export interface HolderLiveness {
  isRunning(holder: LeaseHolder): Promise<boolean | undefined>;
}

export interface ApprovalRequest {
  taskToken: string;
  executionId: string;
  database: string;
  requestedBy?: string;
  plan: Plan;
}

export interface ApprovalNotifier {
  requestApproval(request: ApprovalRequest): Promise<void>;
}
