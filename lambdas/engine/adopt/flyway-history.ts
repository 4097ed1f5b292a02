// Flyway's `flyway_schema_history`, read as Flyway reads it. One row per event, in
// `installed_rank` order:
//   - type SQL/JDBC with a version: that version applied; `success = false` is a failed
//     migration, which Flyway refuses to go past until repaired;
//   - type SQL with no version: a repeatable (`R__<description>`), the latest row counts;
//   - type BASELINE, and SQL_BASELINE (a `B<version>__` script that stood in for every version
//     up to it): every version at or below it counts as applied;
//   - type UNDO_SQL: that version was undone; type DELETE (Flyway repair): forgotten;
//   - type SCHEMA: Flyway created schemas; not a migration.
// The checksum is Flyway's CRC-32 of the script (flyway-checksum.ts); a mismatch is what
// Flyway's validate reports too.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ChecksumMismatchError, DirtyStateError, InputError } from '../errors.ts';
import { repeatableVersion } from '../loader/flyway.ts';
import { parseFlywayConfig } from '../loader/flyway-config.ts';
import { compareVersions } from '../loader/versions.ts';
import { inVersionOrder, type Migration, type MigrationSet } from '../model.ts';
import { flywayChecksum } from './flyway-checksum.ts';
import {
  findToolTable,
  isoOf,
  readMigrationBytes,
  type ToolHistory,
  type ToolReaderInput,
  type ToolRecord,
} from './tool-history.ts';

export const FLYWAY_TABLE = 'flyway_schema_history';
const FLYWAY_COLUMNS = [
  'installed_rank',
  'version',
  'description',
  'type',
  'script',
  'checksum',
  'installed_by',
  'installed_on',
  'success',
];

interface FlywayRow {
  installed_rank: number;
  version: string | null;
  description: string;
  type: string;
  script: string;
  checksum: number | null;
  installed_by: string;
  installed_on: Date;
  success: boolean;
}

/**
 * `flyway.table`, `flyway.defaultSchema` and `flyway.schemas` from a flyway.conf next to the
 * scripts or above them: where Flyway keeps its history, for the reader that imports it and
 * the mirror that keeps it up to date alike.
 */
export async function flywayConfLocation(set: MigrationSet): Promise<{ table?: string; schema?: string }> {
  for (const file of [
    join(set.directory, 'flyway.conf'),
    join(dirname(set.directory), 'flyway.conf'),
    join(dirname(set.directory), 'conf', 'flyway.conf'),
  ]) {
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) continue;
    const { config } = parseFlywayConfig([{ name: file, text }]);
    const value = (key: string) => config.get(key)?.value.trim();
    const schema = value('flyway.defaultSchema') ?? value('flyway.schemas')?.split(',')[0]?.trim();
    return { table: value('flyway.table'), schema: schema || undefined };
  }
  return {};
}

export async function readFlyway(input: ToolReaderInput): Promise<ToolHistory | null> {
  const { conn, set } = input;
  const conf = await flywayConfLocation(set);
  const found = await findToolTable(conn, input.settings.table ?? conf.table, FLYWAY_TABLE, conf.schema);
  if (!found) return null;
  const { source, columns } = found;
  const missing = FLYWAY_COLUMNS.filter((column) => !columns.has(column));
  if (missing.length > 0) {
    throw new InputError(
      `${source} is not Flyway's history table (it has no ${missing.join(', ')} column); name the right one with ` +
        '"adopt": { "table": "<schema>.<table>" } in stepmigrate.json, or "adopt": { "import": false } to import nothing',
    );
  }
  const { rows } = await conn.query<FlywayRow>(
    `SELECT installed_rank, version, description, type, script, checksum, installed_by, installed_on, success
       FROM ${source} ORDER BY installed_rank`,
  );
  const versioned = new Map<string, { row: FlywayRow; migration?: Migration }>();
  const repeatables = new Map<string, FlywayRow>();
  let baseline: FlywayRow | undefined;
  for (const row of rows) {
    if (row.type === 'SCHEMA') continue;
    if (!row.success) {
      throw new DirtyStateError(
        `Flyway's ${source} records a failed migration (installed_rank ${row.installed_rank}, ${row.script}): ` +
          'Flyway itself refuses to go on until it is repaired. Inspect the database, finish or undo that change by hand, ' +
          `then remove the failed row: \`DELETE FROM ${source} WHERE installed_rank = ${row.installed_rank}\` (what \`flyway repair\` does) and run again`,
        { migration: row.version ?? undefined },
      );
    }
    // A baseline marker, or a `B<version>__` baseline script that Flyway ran instead of every version up to it.
    if (row.type === 'BASELINE' || row.type === 'SQL_BASELINE') {
      baseline = row;
      continue;
    }
    if (row.version === null) {
      repeatables.set(row.description, row);
      continue;
    }
    const key = keyOf(set, row.version);
    if (row.type === 'UNDO_SQL' || row.type === 'DELETE') versioned.delete(key);
    else versioned.set(key, { row, migration: findVersion(set, row.version) });
  }
  const applied: ToolRecord[] = [];
  if (baseline?.version) {
    for (const migration of set.migrations) {
      if (!inVersionOrder(migration) || compareVersions(migration.version, baseline.version) > 0) continue;
      if (versioned.has(migration.version)) continue;
      applied.push({ ...recordOf(baseline, migration), baseline: true });
    }
    // The baseline migration of that version counts as run: no new-environment run starts from it
    // again, even where the versioned migrations it stands for were deleted.
    const script = set.migrations.find(
      (m) => m.baselineOf !== undefined && compareVersions(m.baselineOf, baseline.version!) === 0,
    );
    if (script) applied.push(recordOf(baseline, script));
  }
  for (const { row, migration } of versioned.values()) {
    if (migration) await assertSameChecksum(set, migration, row, source);
    applied.push(migration ? recordOf(row, migration) : { ...recordOf(row), version: row.version! });
  }
  for (const [description, row] of repeatables) {
    // Flyway records the description with the file name's underscores as spaces.
    const migration = set.migrations.find(
      (m) =>
        m.repeatable &&
        (m.version === repeatableVersion(description) || m.name.replace(/_/g, ' ') === description),
    );
    if (!migration) continue; // Flyway ignores a repeatable whose file is gone.
    const current = flywayChecksum(await readMigrationBytes(set, migration.file));
    applied.push({ ...recordOf(row, migration), outdated: current !== row.checksum });
  }
  applied.sort((a, b) => compareVersions(a.version, b.version));
  return { tool: 'flyway', source, applied };
}

function findVersion(set: MigrationSet, version: string): Migration | undefined {
  return set.migrations.find((m) => inVersionOrder(m) && compareVersions(m.version, version) === 0);
}

function keyOf(set: MigrationSet, version: string): string {
  return findVersion(set, version)?.version ?? version;
}

function recordOf(row: FlywayRow, migration?: Migration): ToolRecord {
  return {
    version: migration?.version ?? row.version ?? row.description,
    name: migration?.name ?? row.description,
    appliedAt: isoOf(row.installed_on),
    appliedBy: row.installed_by,
  };
}

async function assertSameChecksum(set: MigrationSet, migration: Migration, row: FlywayRow, source: string) {
  if (row.checksum === null) return;
  const current = flywayChecksum(await readMigrationBytes(set, migration.file));
  if (current === row.checksum) return;
  throw new ChecksumMismatchError(
    `migration ${migration.version} (${migration.file}): Flyway recorded checksum ${row.checksum} in ${source} ` +
      `(installed_rank ${row.installed_rank}, applied ${isoOf(row.installed_on).slice(0, 10)} by ${row.installed_by}), ` +
      `but the file's checksum is ${current} — has the file been changed since Flyway applied it? Restore the file as it was; ` +
      `if the change is intended and harmless, record the new checksum: ` +
      `\`UPDATE ${source} SET checksum = ${current} WHERE installed_rank = ${row.installed_rank}\``,
    { migration: migration.version, file: migration.file },
  );
}
