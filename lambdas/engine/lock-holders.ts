// Who holds or waits for locks on given tables: read from pg_locks × pg_stat_activity, so
// Validate can warn before a run and a lock timeout can name the session it gave up on.

import type { SqlConnection } from '../ports.ts';
import { quoteQualified } from './sql/identifiers.ts';

export interface LockHolder {
  pid: number;
  relation: string;
  mode: string;
  granted: boolean;
  state: string | null;
  /** Seconds since the holder's transaction started. */
  age_seconds: number | null;
  /** Seconds since the holder's state last changed (how long it has been idle). */
  state_seconds: number | null;
  query: string | null;
}

/** The lock holders query; `tables` is SQL for a text[] of quoted qualified names ($1, or a literal). */
export function lockHoldersSql(tables: string): string {
  return `SELECT l.pid, l.relation::regclass::text AS relation, l.mode, l.granted, a.state,
            extract(epoch FROM now() - a.xact_start)::int AS age_seconds,
            extract(epoch FROM now() - a.state_change)::int AS state_seconds, a.query
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'relation' AND l.pid <> pg_backend_pid()
        AND l.relation = ANY (SELECT to_regclass(t) FROM unnest(${tables}) AS t)
      ORDER BY a.xact_start NULLS LAST`;
}

export async function lockHolders(conn: SqlConnection, tables: readonly string[]): Promise<LockHolder[]> {
  if (tables.length === 0) return [];
  const { rows } = await conn.query<LockHolder>(lockHoldersSql('$1::text[]'), [tables.map(quoteQualified)]);
  return rows;
}

/** A query on one line, cut to a readable length. */
export function oneLine(query: string | null): string {
  const text = (query ?? '').replace(/\s+/g, ' ').trim();
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/** "server process 4242 holds AccessShareLock on app.users (transaction open 35 s, idle in transaction: SELECT …)" */
export function describeHolder(holder: LockHolder): string {
  return (
    `server process ${holder.pid} ${holder.granted ? 'holds' : 'waits for'} ${holder.mode} on ${holder.relation} ` +
    `(transaction open ${holder.age_seconds ?? 0} s, ${holder.state ?? 'unknown'}: ${oneLine(holder.query)})`
  );
}
