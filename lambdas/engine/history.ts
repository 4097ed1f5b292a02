// `<schema>.schema_history`: what has been applied to this database, by whom, and whether
// a migration that ran outside a transaction was left half-done (dirty). One row per
// migration version holds its current state; the audit log keeps the full story.

import type { SqlConnection } from '../ports.ts';
import type { Direction, HistoryRow, HistoryState } from './model.ts';
import { quoteIdent, quoteLiteralAnyMode } from './sql/identifiers.ts';
import { withTransaction } from './transaction.ts';

const HISTORY_TABLE = 'schema_history';
export const LEASE_TABLE = 'lease';

function table(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * Creates the history schema and tables if they are missing. Runs under a transaction-level
 * advisory lock so two first runs racing each other do not both try to create them.
 */
export async function ensureHistory(conn: SqlConnection, schema: string): Promise<void> {
  const history = table(schema, HISTORY_TABLE);
  const lease = table(schema, LEASE_TABLE);
  // Every run after the first finds everything there: one read instead of a transaction of
  // DDL, which would also take an ACCESS EXCLUSIVE lock on the lease table each time.
  if (await historyComplete(conn, history, lease)) return;
  // Two round trips: the lock goes with BEGIN, the DDL with COMMIT.
  const lock = `SELECT pg_advisory_xact_lock(hashtext(${quoteLiteralAnyMode(`stepmigrate:create:${schema}`)}))`;
  await withTransaction(
    conn,
    `BEGIN;\n${lock}`,
    async () => undefined,
    () => `
      CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
      CREATE TABLE IF NOT EXISTS ${history} (
        version      text PRIMARY KEY,
        name         text NOT NULL,
        checksum     text NOT NULL,
        state        text NOT NULL CHECK (state IN ('applied', 'dirty', 'rolled_back')),
        direction    text NOT NULL DEFAULT 'up' CHECK (direction IN ('up', 'down')),
        applied_at   timestamptz NOT NULL DEFAULT now(),
        applied_by   text NOT NULL,
        execution_id text NOT NULL,
        duration_ms  bigint,
        message      text
      );
      CREATE TABLE IF NOT EXISTS ${lease} (
        key        text PRIMARY KEY,
        owner      text NOT NULL,
        expires_at timestamptz NOT NULL
      );
      -- Who holds the lease (host, pid, process start), so a dead holder's lease is reclaimed.
      ALTER TABLE ${lease} ADD COLUMN IF NOT EXISTS holder jsonb;
      COMMIT`,
  );
}

/** Both tables exist, the lease table with its `holder` column: nothing for ensureHistory to do. */
async function historyComplete(conn: SqlConnection, history: string, lease: string): Promise<boolean> {
  const { rows } = await conn.query<{ complete: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AND EXISTS (
       SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($2) AND attname = 'holder' AND NOT attisdropped
     ) AS complete`,
    [history, lease],
  );
  return rows[0]?.complete === true;
}

/** True once the history table exists (a dry run on a new database must not create it). */
export async function historyExists(conn: SqlConnection, schema: string): Promise<boolean> {
  const { rows } = await conn.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [
    `${quoteIdent(schema)}.${quoteIdent(HISTORY_TABLE)}`,
  ]);
  return rows[0]?.exists === true;
}

/** The columns of one history row, as `readHistory` and the step guard select them. */
export const HISTORY_COLUMNS =
  'version, name, checksum, state, direction, applied_at, applied_by, execution_id, duration_ms, message';

export interface HistoryRecord {
  version: string;
  name: string;
  checksum: string;
  state: HistoryState;
  direction: Direction;
  applied_at: Date;
  applied_by: string;
  execution_id: string;
  duration_ms: string | null;
  message: string | null;
}

export interface HistoryEntry extends HistoryRow {
  direction: Direction;
  /** Why a dirty row is dirty: which statement failed, and how. */
  message: string | null;
}

/** `<schema>.schema_history`, quoted. */
export function historyTable(schema: string): string {
  return table(schema, HISTORY_TABLE);
}

/** A row as selected with HISTORY_COLUMNS, as the engine reads it. */
export function historyEntry(row: HistoryRecord): HistoryEntry {
  return {
    version: row.version,
    name: row.name,
    checksum: row.checksum,
    state: row.state,
    direction: row.direction,
    appliedAt: new Date(row.applied_at).toISOString(),
    appliedBy: row.applied_by,
    executionId: row.execution_id,
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    message: row.message,
  };
}

/** Every history row; an empty list when the history table does not exist yet. */
export async function readHistory(conn: SqlConnection, schema: string): Promise<HistoryEntry[]> {
  if (!(await historyExists(conn, schema))) return [];
  const { rows } = await conn.query<HistoryRecord>(`SELECT ${HISTORY_COLUMNS} FROM ${historyTable(schema)}`);
  return rows.map(historyEntry);
}

export interface HistoryWrite {
  version: string;
  name: string;
  checksum: string;
  state: HistoryState;
  direction: Direction;
  actor: string;
  executionId: string;
  durationMs?: number;
  message?: string;
  /** When it happened, if not now (history imported from another tool keeps that tool's time). */
  appliedAt?: string;
}

/**
 * The statement that inserts or replaces the row of one version, its values written in as
 * literals: an Apply sends it with its transaction's COMMIT, in one round trip, where
 * parameters cannot go.
 */
export function historyWriteSql(schema: string, row: HistoryWrite): string {
  const text = (value: string | undefined) => (value === undefined ? 'NULL' : quoteLiteralAnyMode(value));
  const durationMs = row.durationMs === undefined ? 'NULL' : String(Math.round(row.durationMs));
  return `INSERT INTO ${table(schema, HISTORY_TABLE)}
       (version, name, checksum, state, direction, applied_at, applied_by, execution_id, duration_ms, message)
     VALUES (${text(row.version)}, ${text(row.name)}, ${text(row.checksum)}, ${text(row.state)}, ${text(row.direction)},
       coalesce(${text(row.appliedAt)}::timestamptz, now()), ${text(row.actor)}, ${text(row.executionId)},
       ${durationMs}, ${text(row.message)})
     ON CONFLICT (version) DO UPDATE SET
       name = EXCLUDED.name, checksum = EXCLUDED.checksum, state = EXCLUDED.state,
       direction = EXCLUDED.direction, applied_at = EXCLUDED.applied_at, applied_by = EXCLUDED.applied_by,
       execution_id = EXCLUDED.execution_id, duration_ms = EXCLUDED.duration_ms, message = EXCLUDED.message`;
}

/** Inserts or replaces the row of one version (inside the caller's transaction, if any). */
export async function writeHistory(conn: SqlConnection, schema: string, row: HistoryWrite): Promise<void> {
  await conn.query(historyWriteSql(schema, row));
}
