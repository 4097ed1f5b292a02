// Sqitch's registry (schema `sqitch` by default, or sqitch.conf's `[engine "pg"] registry`):
// `sqitch.changes` holds one row per change deployed now (a revert deletes it), with the
// change's name, its change_id and `script_hash`, the SHA-1 of the deploy script it ran.
// `sqitch.tags` and `sqitch.events` hold the tags and the full story; what is applied is
// `changes`. A reworked change appears once per deployed appearance, under the same name:
// in deploy order, the n-th row named "users" is the n-th appearance in the plan, which is
// our identity "users" / "users.2" / … (loader/sqitch-changes.ts).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqlConnection } from '../../ports.ts';
import { ChecksumMismatchError, InputError } from '../errors.ts';
import { parseGitConfig } from '../loader/git-config.ts';
import { identityOf } from '../loader/sqitch-changes.ts';
import { CONFIG_FILE, sqitchLayout } from '../loader/sqitch-config.ts';
import { parseSqitchPlan } from '../loader/sqitch-plan.ts';
import type { Migration, MigrationSet } from '../model.ts';
import { quoteIdent } from '../sql/identifiers.ts';
import { sqitchScriptHash } from './sqitch-script-hash.ts';
import {
  isoOf,
  readMigrationBytes,
  type ToolHistory,
  type ToolReaderInput,
  type ToolRecord,
  tableColumns,
} from './tool-history.ts';

export const DEFAULT_REGISTRY = 'sqitch';

interface ChangeRow {
  change_id: string;
  script_hash: string | null;
  change: string;
  committed_at: Date;
  committer_name: string;
  committer_email: string;
}

/** From the project's sqitch.conf: `registry = …` of its `[engine "pg"]` section, and where the plan is. */
async function sqitchConf(set: MigrationSet): Promise<{ registry?: string; planFile: string }> {
  const text = await readFile(join(set.directory, CONFIG_FILE), 'utf8').catch(() => undefined);
  return {
    registry: parseGitConfig(text ?? '', CONFIG_FILE).values.get('engine.pg.registry')?.value,
    planFile: sqitchLayout(text).layout.planFile,
  };
}

export async function readSqitchRegistry(input: ToolReaderInput): Promise<ToolHistory | null> {
  const { conn, set } = input;
  const conf = await sqitchConf(set);
  const registry = input.settings.sqitchRegistry ?? conf.registry ?? DEFAULT_REGISTRY;
  if (!(await tableColumns(conn, registry, 'changes'))) return null;
  const source = quoteIdent(registry);
  const project = await projectName(conn, set, source, conf.planFile);
  const { rows } = await conn.query<ChangeRow>(
    `SELECT change_id, script_hash, change, committed_at, committer_name, committer_email
       FROM ${source}.changes WHERE project = $1 ORDER BY committed_at, change_id`,
    [project],
  );
  const appearances = new Map<string, number>();
  const byVersion = new Map(set.migrations.map((m) => [m.version, m]));
  const applied: ToolRecord[] = [];
  for (const row of rows) {
    const appearance = (appearances.get(row.change) ?? 0) + 1;
    appearances.set(row.change, appearance);
    const version = identityOf(row.change, appearance);
    const migration = byVersion.get(version);
    if (migration) await assertSameScript(set, migration, row, source);
    applied.push({
      version,
      name: row.change,
      appliedAt: isoOf(row.committed_at),
      appliedBy: `${row.committer_name} <${row.committer_email}>`,
    });
  }
  return { tool: 'sqitch', source: `${source}.changes`, applied };
}

/** The plan's `%project` (the plan where sqitch.conf puts it); without one, the registry's only project. */
async function projectName(
  conn: SqlConnection,
  set: MigrationSet,
  source: string,
  planFile: string,
): Promise<string> {
  const text = await readFile(join(set.directory, planFile), 'utf8').catch(() => null);
  const project = text === null ? undefined : parseSqitchPlan(text).plan.project;
  if (project) return project;
  const { rows } = await conn.query<{ project: string }>(
    `SELECT DISTINCT project FROM ${source}.changes ORDER BY 1`,
  );
  if (rows.length === 1) return rows[0]!.project;
  throw new InputError(
    `cannot tell which project of the Sqitch registry ${source} is this one (${rows.map((r) => r.project).join(', ') || 'none deployed'}): ` +
      `give ${set.directory}/${planFile} its %project pragma`,
  );
}

async function assertSameScript(set: MigrationSet, migration: Migration, row: ChangeRow, source: string) {
  // Registries upgraded from sqitch < 0.9999 carry the change_id where no hash was recorded.
  if (row.script_hash === null || row.script_hash === row.change_id) return;
  const current = sqitchScriptHash(await readMigrationBytes(set, migration.file));
  if (current === row.script_hash) return;
  throw new ChecksumMismatchError(
    `change ${migration.version} (${migration.file}): Sqitch recorded script_hash ${row.script_hash} in ${source}.changes ` +
      `(change_id ${row.change_id}, deployed ${isoOf(row.committed_at).slice(0, 10)} by ${row.committer_name}), ` +
      `but the deploy script's SHA-1 is ${current} — has the script been changed since Sqitch deployed it? Restore it as it was ` +
      '(a deployed change is changed by reworking it: a new appearance in sqitch.plan)',
    { migration: migration.version, file: migration.file },
  );
}
