// What only a tool that sees the live database can know before it starts: can it connect,
// is the server recent enough, may this role make the changes, who is holding locks on the
// tables the plan touches, and how big are the tables a statement will rewrite or scan.

import type { SqlConnection } from '../ports.ts';
import { formatBytes } from './bytes.ts';
import { PreflightError } from './errors.ts';
import { describeHolder, lockHolders, oneLine } from './lock-holders.ts';
import type { Finding } from './model.ts';
import { quoteQualified } from './sql/identifiers.ts';

export interface PreflightOptions {
  /** Tables ("schema.table") the pending migrations touch. */
  affectedTables: readonly string[];
  /** Tables a statement rewrites or scans while holding a lock that blocks writes. */
  heavyTables: readonly string[];
  /** Schemas the pending migrations create objects in. */
  schemas: readonly string[];
  /** A transaction open longer than this is reported (it blocks CREATE INDEX CONCURRENTLY). */
  longTransactionSeconds?: number;
  /** An idle-in-transaction session holding a lock on an affected table this long refuses the run. */
  idleHolderSeconds?: number;
  /** Rewrites or scans of tables with more rows than this are reported as a risk. */
  largeTableRows?: number;
}

export const MIN_SERVER_VERSION_NUM = 130000;

export async function preflight(conn: SqlConnection, options: PreflightOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  await checkServerVersion(conn);
  await checkPrivileges(conn, options);
  findings.push(...(await checkLockHolders(conn, options)));
  findings.push(...(await checkLongTransactions(conn, options.longTransactionSeconds ?? 300)));
  findings.push(...(await checkTableSizes(conn, options.heavyTables, options.largeTableRows ?? 1_000_000)));
  return findings;
}

async function checkServerVersion(conn: SqlConnection): Promise<void> {
  const { rows } = await conn.query<{ num: string; version: string }>(
    "SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version",
  );
  const row = rows[0]!;
  if (Number(row.num) < MIN_SERVER_VERSION_NUM) {
    throw new PreflightError(
      `PostgreSQL ${row.version} is too old: stepmigrate needs 13 or newer (generated columns, CONCURRENTLY and lock behaviour it relies on)`,
    );
  }
}

/** Ownership is what ALTER/DROP need; CREATE on the schema (or database) is what new objects need. */
async function checkPrivileges(conn: SqlConnection, options: PreflightOptions): Promise<void> {
  const missing: string[] = [];
  const tables = await conn.query<{ name: string; owner: string; may_alter: boolean }>(
    `SELECT c.oid::regclass::text AS name, pg_get_userbyid(c.relowner) AS owner, pg_has_role(current_user, c.relowner, 'USAGE') AS may_alter
       FROM unnest($1::text[]) AS t(name)
       JOIN pg_class c ON c.oid = to_regclass(t.name)`,
    [options.affectedTables.map(quoteQualified)],
  );
  for (const row of tables.rows) {
    if (!row.may_alter) missing.push(`ownership of table ${row.name} (owned by ${row.owner})`);
  }
  const schemas = await conn.query<{ name: string; exists: boolean; may_create: boolean }>(
    `SELECT s.name, n.oid IS NOT NULL AS exists,
            CASE WHEN n.oid IS NULL THEN has_database_privilege(current_database(), 'CREATE')
                 ELSE has_schema_privilege(n.oid, 'CREATE') END AS may_create
       FROM unnest($1::text[]) AS s(name) LEFT JOIN pg_namespace n ON n.nspname = s.name`,
    [options.schemas],
  );
  for (const row of schemas.rows) {
    if (!row.may_create) {
      missing.push(
        row.exists ? `CREATE on schema ${row.name}` : `CREATE on the database (to create schema ${row.name})`,
      );
    }
  }
  if (missing.length > 0) {
    const { rows } = await conn.query<{ role: string }>('SELECT current_user AS role');
    throw new PreflightError(
      `role ${rows[0]?.role} lacks privileges the pending migrations need: ${missing.join('; ')} — ` +
        'grant them (or run as the owning role) and try again',
    );
  }
}

async function checkLockHolders(conn: SqlConnection, options: PreflightOptions): Promise<Finding[]> {
  const rows = await lockHolders(conn, options.affectedTables);
  const idleLimit = options.idleHolderSeconds ?? 60;
  const stuck = rows.find(
    (r) => r.granted && r.state?.startsWith('idle in transaction') && (r.state_seconds ?? 0) >= idleLimit,
  );
  if (stuck) {
    throw new PreflightError(
      `table ${stuck.relation} is locked (${stuck.mode}) by server process ${stuck.pid}, idle in a transaction for ` +
        `${stuck.state_seconds} s (last query: ${oneLine(stuck.query)}). A migration would wait behind it and ` +
        `give up after lock_timeout; end that transaction (SELECT pg_terminate_backend(${stuck.pid})) or wait, then retry`,
    );
  }
  return rows.map((r) => ({
    rule: 'preflight-lock-holder',
    severity: 'warning' as const,
    message: describeHolder(r),
  }));
}

async function checkLongTransactions(conn: SqlConnection, thresholdSeconds: number): Promise<Finding[]> {
  const { rows } = await conn.query<{ pid: number; age_seconds: number; state: string; query: string }>(
    `SELECT pid, extract(epoch FROM now() - xact_start)::int AS age_seconds, state, query
       FROM pg_stat_activity
      WHERE xact_start < now() - $1 * interval '1 second' AND pid <> pg_backend_pid() AND datname = current_database()
      ORDER BY xact_start`,
    [thresholdSeconds],
  );
  return rows.map((r) => ({
    rule: 'preflight-long-transaction',
    severity: 'warning' as const,
    message:
      `server process ${r.pid} has had a transaction open for ${r.age_seconds} s (${r.state}: ${oneLine(r.query)}); ` +
      'CREATE INDEX CONCURRENTLY and lock waits queue behind it',
  }));
}

async function checkTableSizes(
  conn: SqlConnection,
  tables: readonly string[],
  largeRows: number,
): Promise<Finding[]> {
  if (tables.length === 0) return [];
  const { rows } = await conn.query<{ name: string; rows: number; bytes: string }>(
    `SELECT c.oid::regclass::text AS name, greatest(c.reltuples, 0)::bigint AS rows, pg_total_relation_size(c.oid) AS bytes
       FROM unnest($1::text[]) AS t(name) JOIN pg_class c ON c.oid = to_regclass(t.name)`,
    [tables.map(quoteQualified)],
  );
  return rows.map((r) => ({
    rule: Number(r.rows) >= largeRows ? 'preflight-large-table' : 'preflight-table-size',
    severity: Number(r.rows) >= largeRows ? ('warning' as const) : ('info' as const),
    message: `${r.name}: about ${Number(r.rows).toLocaleString('en-US')} rows, ${formatBytes(Number(r.bytes))}, is rewritten or scanned under a lock that blocks writes`,
  }));
}

/** Table data on disk (without indexes) of the given tables that exist now. */
export async function tableBytes(conn: SqlConnection, tables: readonly string[]): Promise<number> {
  if (tables.length === 0) return 0;
  const { rows } = await conn.query<{ bytes: string | null }>(
    `SELECT sum(pg_table_size(c.oid)) AS bytes
       FROM unnest($1::text[]) AS t(name) JOIN pg_class c ON c.oid = to_regclass(t.name)`,
    [tables.map(quoteQualified)],
  );
  return Number(rows[0]?.bytes ?? 0);
}
