// A session-level PostgreSQL advisory lock around every step that changes the database, so
// two runners can never interleave statements on one database, even if the lease (which
// spans a whole execution) was broken by hand.

import type { SqlConnection } from '../ports.ts';
import { LockedError } from './errors.ts';
import { quoteLiteralAnyMode } from './sql/identifiers.ts';

/** The lock's key: one per history schema, so runs on one database exclude each other. */
export function advisoryLockKey(schema: string): string {
  return `stepmigrate:run:${schema}`;
}

/** Runs `fn` holding the run lock of `schema`; fails fast with LockedError when another session has it. */
export async function withAdvisoryLock<T>(
  conn: SqlConnection,
  schema: string,
  fn: () => Promise<T>,
): Promise<T> {
  const key = advisoryLockKey(schema);
  const { rows } = await conn.query<{ locked: boolean }>(
    'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
    [key],
  );
  if (rows[0]?.locked !== true) throw await lockHeldError(conn, schema);
  try {
    return await fn();
  } finally {
    await releaseAdvisoryLock(conn, schema);
  }
}

/** A run lock this session holds, which a step may give back together with its last statement. */
export interface HeldLock {
  /** The statement that gives it back, its key written in as a literal. */
  readonly releaseSql: string;
  /** Set once `releaseSql` has run: the lock is free, nothing more to send. */
  released: boolean;
}

export function heldLock(schema: string): HeldLock {
  return {
    releaseSql: `SELECT pg_advisory_unlock(hashtext(${quoteLiteralAnyMode(advisoryLockKey(schema))}))`,
    released: false,
  };
}

/** Gives the run lock of `schema` back; never throws (the session's end frees it anyway). */
export async function releaseAdvisoryLock(conn: SqlConnection, schema: string): Promise<void> {
  await conn
    .query('SELECT pg_advisory_unlock(hashtext($1))', [advisoryLockKey(schema)])
    .catch(() => undefined);
}

/**
 * The LockedError for a run lock another session holds, naming that session when it can.
 * Advisory locks are per database: the same key held on another database of the server is not it.
 */
export async function lockHeldError(conn: SqlConnection, schema: string): Promise<LockedError> {
  const holder = await conn.query<{ pid: number; application_name: string; since: Date | null }>(
    `SELECT a.pid, a.application_name, a.backend_start AS since
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objid = (hashtext($1)::bigint & 4294967295)::oid
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      LIMIT 1`,
    [advisoryLockKey(schema)],
  );
  const who = holder.rows[0];
  const detail = who
    ? ` (held by server process ${who.pid}${who.application_name ? `, ${who.application_name}` : ''})`
    : '';
  return new LockedError(`another stepmigrate run is changing this database${detail}; wait for it to finish`);
}
