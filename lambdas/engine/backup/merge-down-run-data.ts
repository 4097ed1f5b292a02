// Inside the down section's own transaction, after its last statement: the values the
// Backup step staged (down-run-staging.ts) go back into the re-added columns (by primary
// key) or the re-created table, with user triggers silent, and are checked by a digest of
// the merged rows against the staged ones before the section commits. Any mismatch, or a
// down section that re-created the object differently, fails the section: it rolls back
// with everything it did, and the error names the restore command instead.

import type { SqlConnection } from '../../ports.ts';
import type { SectionHooks } from '../apply.ts';
import { BackupError } from '../errors.ts';
import type { Direction } from '../model.ts';
import { quoteIdent } from '../sql/identifiers.ts';
import { qualifiedName } from './copy-format.ts';
import { type StagedDownRunData, stagingPrefix } from './down-run-staging.ts';
import { checkForeignKeys, relationTree } from './foreign-keys.ts';
import { restoreSequences } from './sequences.ts';
import { disableUserTriggers, enterReplicaMode, restoreTriggers } from './triggers.ts';

export interface MergeScope {
  historySchema: string;
  executionId: string;
  log?: (line: string) => void;
}

/** The section's hooks, with the merge of its staged data added after its last statement (down sections only). */
export function withDownRunData(
  hooks: SectionHooks | undefined,
  scope: MergeScope,
  version: string,
  direction: Direction,
): SectionHooks | undefined {
  if (direction !== 'down') return hooks;
  return {
    before: hooks?.before,
    after: async (conn) => {
      await hooks?.after?.(conn);
      await mergeStagedData(conn, scope, version);
    },
  };
}

async function stagedTables(
  conn: SqlConnection,
  scope: MergeScope,
  version?: string,
): Promise<StagedDownRunData[]> {
  const { rows } = await conn.query<{ spec: string | null }>(
    `SELECT obj_description(c.oid, 'pg_class') AS spec FROM pg_class c
      WHERE c.relnamespace = to_regnamespace($1) AND c.relkind = 'r' AND starts_with(c.relname, $2)`,
    [quoteIdent(scope.historySchema), stagingPrefix],
  );
  return rows
    .flatMap((row) => {
      try {
        return [JSON.parse(row.spec ?? '') as StagedDownRunData];
      } catch {
        return [];
      }
    })
    .filter((s) => s.executionId === scope.executionId && (version === undefined || s.version === version));
}

export async function mergeStagedData(
  conn: SqlConnection,
  scope: MergeScope,
  version: string,
): Promise<void> {
  for (const staged of await stagedTables(conn, scope, version)) {
    await mergeOne(conn, scope, staged);
    await conn.query(`DROP TABLE ${qualifiedName(scope.historySchema, staged.staging)}`);
  }
}

/** Staged data a run did not merge (it failed first): dropped, the backup still holds it. */
export async function dropStagedData(conn: SqlConnection, scope: MergeScope): Promise<void> {
  for (const staged of await stagedTables(conn, scope)) {
    await conn.query(`DROP TABLE IF EXISTS ${qualifiedName(scope.historySchema, staged.staging)}`);
  }
}

function refuse(staged: StagedDownRunData, problem: string): never {
  throw new BackupError(
    `undoing ${staged.migration} cannot bring back the values of ${staged.name} from the backup of ${staged.from}: ${problem} — ` +
      `the down section was rolled back with everything it did, and the backup still holds the values. ` +
      `Make the down section re-create ${staged.name} as the backup holds it, then run the rollback again`,
  );
}

async function mergeOne(conn: SqlConnection, scope: MergeScope, staged: StagedDownRunData): Promise<void> {
  const target = qualifiedName(staged.schema, staged.table);
  const source = qualifiedName(scope.historySchema, staged.staging);
  await checkColumns(conn, staged, target);
  const previousRole = await conn.query<{ role: string }>(
    "SELECT current_setting('session_replication_role') AS role",
  );
  const replicaMode = await enterReplicaMode(conn);
  const triggers = await disableUserTriggers(conn, [target], replicaMode);
  const columns = staged.columns.map((c) => quoteIdent(c.name));
  const keys = staged.keyColumns.map(quoteIdent);
  if (staged.kind === 'rows') {
    const { rowCount } = await conn.query(`SELECT 1 FROM ${target} LIMIT 1`);
    if (rowCount > 0) refuse(staged, 'the re-created table already holds rows');
    await conn.query(
      `INSERT INTO ${target} (${columns.join(', ')}) OVERRIDING SYSTEM VALUE SELECT ${columns.join(', ')} FROM ${source}`,
    );
    await restoreSequences(conn, [staged]);
  } else {
    const assignments = columns.map((c) => `${c} = s.${c}`).join(', ');
    const match = keys.map((k) => `t.${k} = s.${k}`).join(' AND ');
    await conn.query(`UPDATE ${target} t SET ${assignments} FROM ${source} s WHERE ${match}`);
  }
  if (replicaMode) await checkForeignKeys(conn, await relationTree(conn, [target]));
  await restoreTriggers(conn, triggers);
  if (replicaMode) {
    await conn.query("SELECT set_config('session_replication_role', $1, true)", [previousRole.rows[0]!.role]);
  }
  await verifyMerge(conn, scope, staged, target, source);
}

/** The down section must have re-created each column with the type the backup holds. */
async function checkColumns(conn: SqlConnection, staged: StagedDownRunData, target: string): Promise<void> {
  // format_type() qualifies names only outside the search_path: read it as the backup did,
  // then give the section its own search_path back.
  const { rows: saved } = await conn.query<{ path: string }>(
    "SELECT current_setting('search_path') AS path, set_config('search_path', 'pg_catalog', true)",
  );
  const { rows } = await conn.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
    [target],
  );
  await conn.query("SELECT set_config('search_path', $1, true)", [saved[0]!.path]);
  const now = new Map(rows.map((row) => [row.name, row.type]));
  for (const column of [...staged.keyColumns.map((name) => ({ name, type: undefined })), ...staged.columns]) {
    const type = now.get(column.name);
    if (type === undefined) refuse(staged, `its down section did not re-create column ${column.name}`);
    if (column.type !== undefined && type !== column.type) {
      refuse(
        staged,
        `its down section re-created column ${column.name} as ${type}, the backup holds ${column.type}`,
      );
    }
  }
}

/** The merged rows, digested, equal the staged rows that still have a row to go into. */
async function verifyMerge(
  conn: SqlConnection,
  scope: MergeScope,
  staged: StagedDownRunData,
  target: string,
  source: string,
): Promise<void> {
  const keys = staged.keyColumns.map(quoteIdent);
  const columns = [...keys, ...staged.columns.map((c) => quoteIdent(c.name))];
  const row = (alias: string) => `ROW(${columns.map((c) => `${alias}.${c}`).join(', ')})::text`;
  const digest = (alias: string, from: string, where: string) =>
    `(SELECT md5(coalesce(string_agg(${row(alias)}, E'\\n' ORDER BY ${row(alias)}), '')) FROM ${from} ${alias} ${where})`;
  const matches = (outer: string, inner: string) =>
    keys.length === 0 ? 'TRUE' : keys.map((k) => `${outer}.${k} = ${inner}.${k}`).join(' AND ');
  const [inTarget, inSource] =
    staged.kind === 'rows'
      ? ['', '']
      : [
          `WHERE EXISTS (SELECT 1 FROM ${source} s WHERE ${matches('t', 's')})`,
          `WHERE EXISTS (SELECT 1 FROM ${target} t WHERE ${matches('t', 's')})`,
        ];
  const { rows } = await conn.query<{ merged: string; staged: string; missing: number }>(
    `SELECT ${digest('t', target, inTarget)} AS merged, ${digest('s', source, inSource)} AS staged,
            (SELECT count(*)::int FROM ${source} s ${inSource.replace('WHERE EXISTS', 'WHERE NOT EXISTS')}) AS missing`,
  );
  const result = rows[0]!;
  if (result.merged !== result.staged) {
    refuse(staged, 'the merged values do not read back as the backup holds them');
  }
  const gone = staged.kind === 'columns' ? result.missing : 0;
  scope.log?.(
    `brought back ${staged.kind === 'rows' ? `${staged.rows} rows of` : `${staged.columns.map((c) => c.name).join(', ')} of`} ${staged.name} from the backup of ${staged.from}` +
      (gone > 0 ? ` (${gone} backed-up rows no longer exist; their values stay in the backup)` : ''),
  );
}
