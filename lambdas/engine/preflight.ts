// What only a tool that sees the live database can know before it starts: can it connect,
// is the server recent enough, may this role make the changes, who is holding locks on the
// tables the plan touches, and how big are the tables a statement will rewrite or scan.

import type { SqlConnection } from '../ports.ts';
import { formatBytes } from './bytes.ts';
import { PreflightError } from './errors.ts';
import { describeHolder, type LockHolder, lockHoldersSql, oneLine } from './lock-holders.ts';
import type { Finding } from './model.ts';
import { quoteQualified, textArrayLiteral } from './sql/identifiers.ts';

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
  const read = await readPreflight(conn, options);
  checkServerVersion(read.server);
  checkPrivileges(read);
  const findings: Finding[] = [];
  findings.push(...checkLockHolders(read.lockHolders, options));
  findings.push(...longTransactions(read.longTransactions));
  findings.push(...tableSizes(read.tableSizes, options.largeTableRows ?? 1_000_000));
  return findings;
}

interface ServerRow {
  num: string;
  version: string;
  role: string;
}

interface PreflightRead {
  server: ServerRow;
  tables: Array<{ name: string; owner: string; may_alter: boolean }>;
  schemas: Array<{ name: string; exists: boolean; may_create: boolean }>;
  lockHolders: LockHolder[];
  longTransactions: Array<{ pid: number; age_seconds: number; state: string; query: string }>;
  tableSizes: Array<{ name: string; rows: number; bytes: string }>;
}

const SERVER_SQL =
  "SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version, current_user AS role";

/**
 * Everything preflight reads, in one round trip (independent reads, so their values are
 * written in as literals); judged afterwards in the order the checks always ran. Should the
 * batch fail, a server too old for one of its statements is still named as such.
 */
async function readPreflight(conn: SqlConnection, options: PreflightOptions): Promise<PreflightRead> {
  const affected = textArrayLiteral(options.affectedTables.map(quoteQualified));
  const heavy = options.heavyTables.map(quoteQualified);
  const longSeconds = Number(options.longTransactionSeconds ?? 300);
  const statements = [
    SERVER_SQL,
    `SELECT c.oid::regclass::text AS name, pg_get_userbyid(c.relowner) AS owner, pg_has_role(current_user, c.relowner, 'USAGE') AS may_alter
       FROM unnest(${affected}) AS t(name)
       JOIN pg_class c ON c.oid = to_regclass(t.name)`,
    `SELECT s.name, n.oid IS NOT NULL AS exists,
            CASE WHEN n.oid IS NULL THEN has_database_privilege(current_database(), 'CREATE')
                 ELSE has_schema_privilege(n.oid, 'CREATE') END AS may_create
       FROM unnest(${textArrayLiteral(options.schemas)}) AS s(name) LEFT JOIN pg_namespace n ON n.nspname = s.name`,
    lockHoldersSql(affected),
    `SELECT pid, extract(epoch FROM now() - xact_start)::int AS age_seconds, state, query
       FROM pg_stat_activity
      WHERE xact_start < now() - ${longSeconds} * interval '1 second' AND pid <> pg_backend_pid() AND datname = current_database()
      ORDER BY xact_start`,
    ...(heavy.length === 0
      ? []
      : [
          `SELECT c.oid::regclass::text AS name, greatest(c.reltuples, 0)::bigint AS rows, pg_total_relation_size(c.oid) AS bytes
             FROM unnest(${textArrayLiteral(heavy)}) AS t(name) JOIN pg_class c ON c.oid = to_regclass(t.name)`,
        ]),
  ];
  const results = await conn.queryEach(statements).catch(async (error: unknown) => {
    // Read alone, the version explains a server too old; failing too, the batch's error stands.
    const server = await conn.query<ServerRow>(SERVER_SQL).then(
      ({ rows }) => rows[0],
      () => undefined,
    );
    if (server) checkServerVersion(server);
    throw error;
  });
  const rows = <Row>(index: number) => (results[index]?.rows ?? []) as Row[];
  return {
    server: rows<ServerRow>(0)[0]!,
    tables: rows(1),
    schemas: rows(2),
    lockHolders: rows(3),
    longTransactions: rows(4),
    tableSizes: rows(5),
  };
}

function checkServerVersion(row: ServerRow): void {
  if (Number(row.num) < MIN_SERVER_VERSION_NUM) {
    throw new PreflightError(
      `PostgreSQL ${row.version} is too old: stepmigrate needs 13 or newer (generated columns, CONCURRENTLY and lock behaviour it relies on)`,
    );
  }
}

/** Ownership is what ALTER/DROP need; CREATE on the schema (or database) is what new objects need. */
function checkPrivileges(read: PreflightRead): void {
  const missing: string[] = [];
  for (const row of read.tables) {
    if (!row.may_alter) missing.push(`ownership of table ${row.name} (owned by ${row.owner})`);
  }
  for (const row of read.schemas) {
    if (!row.may_create) {
      missing.push(
        row.exists ? `CREATE on schema ${row.name}` : `CREATE on the database (to create schema ${row.name})`,
      );
    }
  }
  if (missing.length > 0) {
    throw new PreflightError(
      `role ${read.server.role} lacks privileges the pending migrations need: ${missing.join('; ')} — ` +
        'grant them (or run as the owning role) and try again',
    );
  }
}

function checkLockHolders(rows: readonly LockHolder[], options: PreflightOptions): Finding[] {
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

function longTransactions(rows: PreflightRead['longTransactions']): Finding[] {
  return rows.map((r) => ({
    rule: 'preflight-long-transaction',
    severity: 'warning' as const,
    message:
      `server process ${r.pid} has had a transaction open for ${r.age_seconds} s (${r.state}: ${oneLine(r.query)}); ` +
      'CREATE INDEX CONCURRENTLY and lock waits queue behind it',
  }));
}

function tableSizes(rows: PreflightRead['tableSizes'], largeRows: number): Finding[] {
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
