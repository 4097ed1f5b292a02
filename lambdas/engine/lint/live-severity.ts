// Lint that knows the live database, applied by Validate after the rules. A lock or rewrite
// hazard is a long lock on a big table that other sessions are using; a static linter (Squawk,
// `stepmigrate lint`) cannot tell whether that table is big, empty, or not there at all. Here:
//   - a table that does not exist yet — created earlier in the same run, or nowhere — or that
//     is empty cannot keep anyone waiting: the finding becomes info;
//   - a table's size raises the finding: at or above `warningRows` it is at least a warning,
//     at or above `errorRows` an error (the rule's own level, or the project's, otherwise).
// Findings silenced with `-- lint:allow` stay as they are.
//
// Settings (stepmigrate.json): { "liveLint": { "enabled": true, "warningRows": 10000, "errorRows": 1000000 } }
import type { SqlConnection } from '../../ports.ts';
import type { Finding, FindingSeverity, Migration } from '../model.ts';
import { analyzeMigration } from '../sql/classify.ts';
import { quoteQualified } from '../sql/identifiers.ts';
import { withTransaction } from '../transaction.ts';

export interface LiveLintSettings {
  enabled: boolean;
  warningRows: number;
  errorRows: number;
}

export const DEFAULT_LIVE_LINT: LiveLintSettings = {
  enabled: true,
  warningRows: 10_000,
  errorRows: 1_000_000,
};

/** Rules whose hazard is a lock held (or a rewrite or scan done) on a table others use. */
export const LOCK_HAZARD_RULES: ReadonlySet<string> = new Set([
  'adding-field-with-default',
  'adding-foreign-key-constraint',
  'adding-not-nullable-field',
  'adding-required-field',
  'adding-serial-primary-key-field',
  'changing-column-type',
  'constraint-missing-not-valid',
  'disallowed-unique-constraint',
  'require-concurrent-index-creation',
  'require-concurrent-index-deletion',
  'set-not-null',
  'set-not-null-without-check',
]);

interface StatementTables {
  migration: string;
  line: number;
  tables: string[];
  /** Of `tables`, those an earlier statement of this run creates, with the migration creating it. */
  createdBy: Map<string, string>;
}

interface TableFacts {
  exists: boolean;
  rows: number;
  /** `rows` is a count that stopped at `errorRows`, not an estimate. */
  atLeast: boolean;
  empty: boolean | undefined;
}

/** The parser must be loaded (`await loadSqlParser()`), as for `lintMigrations`. */
export async function applyLiveSeverity(
  conn: SqlConnection,
  pending: readonly Migration[],
  findings: readonly Finding[],
  settings: LiveLintSettings = DEFAULT_LIVE_LINT,
): Promise<Finding[]> {
  if (!settings.enabled) return [...findings];
  const statements = statementTables(pending);
  const hazards = findings.map((finding) => ({
    finding,
    at: isHazard(finding) ? locate(statements, finding) : undefined,
  }));
  const tables = new Set(
    hazards.flatMap(({ at }) => (at ? at.tables.filter((t) => !at.createdBy.has(t)) : [])),
  );
  const facts = await tableFacts(conn, [...tables], settings);
  return hazards.map(({ finding, at }) => (at ? adjust(finding, at, facts, settings) : finding));
}

function isHazard(finding: Finding): boolean {
  return (
    LOCK_HAZARD_RULES.has(finding.rule) &&
    finding.allowedBecause === undefined &&
    finding.migration !== undefined
  );
}

function statementTables(pending: readonly Migration[]): StatementTables[] {
  const created = new Map<string, string>();
  const result: StatementTables[] = [];
  for (const migration of pending) {
    for (const statement of analyzeMigration(migration).statements.up) {
      const tables = [
        ...new Set([...statement.locks.map((lock) => lock.table), ...statement.rewrites, ...statement.scans]),
      ];
      const createdBy = new Map(
        tables.flatMap((t) => (created.has(t) ? [[t, created.get(t)!] as const] : [])),
      );
      result.push({ migration: migration.version, line: statement.line, tables, createdBy });
      for (const change of statement.changes) {
        if (change.kind === 'create_table' && change.object && !created.has(change.object)) {
          created.set(change.object, migration.version);
        }
      }
    }
  }
  return result;
}

/** The statement a finding points into: the last one of its migration starting at or before its line. */
function locate(statements: readonly StatementTables[], finding: Finding): StatementTables | undefined {
  const own = statements.filter((s) => s.migration === finding.migration && s.line <= (finding.line ?? 0));
  const at = own.at(-1);
  return at && at.tables.length > 0 ? at : undefined;
}

async function tableFacts(
  conn: SqlConnection,
  tables: readonly string[],
  settings: LiveLintSettings,
): Promise<Map<string, TableFacts>> {
  const facts = new Map<string, TableFacts>();
  if (tables.length === 0) return facts;
  const { rows } = await conn.query<{ name: string; exists: boolean; rows: string | null }>(
    `SELECT t.name, c.oid IS NOT NULL AS exists, c.reltuples::bigint AS rows
       FROM unnest($1::text[], $2::text[]) AS t(name, quoted) LEFT JOIN pg_class c ON c.oid = to_regclass(t.quoted)`,
    [tables, tables.map(quoteQualified)],
  );
  for (const row of rows) {
    let empty: boolean | undefined;
    let estimate = Math.max(Number(row.rows ?? 0), 0);
    let atLeast = false;
    if (row.exists) {
      // The estimate can be stale or missing (-1: never analyzed); whether a row exists is exact and cheap.
      const table = quoteQualified(row.name);
      empty = await probe(conn, `SELECT NOT EXISTS (SELECT 1 FROM ${table}) AS value`);
      if (empty === false && Number(row.rows ?? -1) < 0) {
        const counted = await probe(
          conn,
          `SELECT count(*)::bigint AS value FROM (SELECT 1 FROM ${table} LIMIT ${Math.max(settings.errorRows, 1)}) AS s`,
        );
        estimate = Number(counted ?? 0);
        atLeast = estimate >= settings.errorRows;
      }
    }
    facts.set(row.name, { exists: row.exists, rows: estimate, atLeast, empty });
  }
  return facts;
}

/**
 * One read of a live table, never waiting behind a lock: Validate must not queue behind the
 * sessions whose locks it is there to warn about. Unknown (undefined) when it cannot read it.
 */
async function probe<T>(conn: SqlConnection, sql: string): Promise<T | undefined> {
  try {
    return await withTransaction(conn, 'BEGIN READ ONLY', async () => {
      await conn.query("SET LOCAL lock_timeout = '200ms'");
      return (await conn.query<{ value: T }>(sql)).rows[0]?.value;
    });
  } catch {
    return undefined;
  }
}

const RANK: Record<FindingSeverity, number> = { info: 0, warning: 1, error: 2 };

function adjust(
  finding: Finding,
  at: StatementTables,
  facts: ReadonlyMap<string, TableFacts>,
  settings: LiveLintSettings,
): Finding {
  const reasons: string[] = [];
  let harmless = true;
  let rows = 0;
  let biggest = '';
  let about = 'about';
  for (const table of at.tables) {
    const creator = at.createdBy.get(table);
    const fact = facts.get(table);
    if (creator !== undefined) reasons.push(`${table} is created by ${creator} earlier in this run`);
    else if (fact && !fact.exists) reasons.push(`${table} does not exist yet`);
    else if (fact?.empty === true) reasons.push(`${table} is empty`);
    else {
      harmless = false;
      if ((fact?.rows ?? 0) >= rows) {
        rows = fact?.rows ?? 0;
        biggest = table;
        about = fact?.atLeast ? 'at least' : 'about';
      }
    }
  }
  if (harmless) {
    return {
      ...finding,
      severity: 'info',
      message: `${finding.message} (info on this database: ${reasons.join('; ')}, so the lock cannot keep anyone waiting)`,
    };
  }
  const raised: FindingSeverity =
    rows >= settings.errorRows ? 'error' : rows >= settings.warningRows ? 'warning' : finding.severity;
  if (RANK[raised] <= RANK[finding.severity]) return finding;
  return {
    ...finding,
    severity: raised,
    message: `${finding.message} (${raised} on this database: ${biggest} has ${about} ${rows.toLocaleString('en-US')} rows)`,
  };
}
