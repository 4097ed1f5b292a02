// golang-migrate's and dbmate's `schema_migrations`, which share a name but not a meaning.
//
// golang-migrate (its postgres driver): `schema_migrations (version bigint PRIMARY KEY, dirty
// boolean)` holding ONE row, the current version; every migration at or below it is applied.
// `dirty = true` means that version failed half-way and golang-migrate refuses to go on until
// someone runs `migrate force`. dbmate: `schema_migrations (version varchar PRIMARY KEY)`,
// one row per applied migration, the version digits as in the file name. Neither records a
// checksum, so there is nothing to compare with the files.
import { DirtyStateError, InputError } from '../errors.ts';
import { compareVersions } from '../loader/versions.ts';
import { findToolTable, type ToolHistory, type ToolReaderInput } from './tool-history.ts';

export const SCHEMA_MIGRATIONS = 'schema_migrations';

export async function readGolangMigrate(input: ToolReaderInput): Promise<ToolHistory | null> {
  const { conn, set } = input;
  const found = await findToolTable(conn, input.settings.table, SCHEMA_MIGRATIONS);
  if (!found) return null;
  const { source, columns } = found;
  if (!columns.has('dirty')) {
    throw new InputError(
      `${source} has no "dirty" column, so it is not golang-migrate's table (dbmate's has the same name); ` +
        'if dbmate migrated this database, run with --layout dbmate',
    );
  }
  const { rows } = await conn.query<{ version: string; dirty: boolean }>(
    `SELECT version::text AS version, dirty FROM ${source}`,
  );
  const row = rows[0];
  if (!row) return { tool: 'golang-migrate', source, applied: [] };
  if (row.dirty) {
    throw new DirtyStateError(
      `golang-migrate's ${source} says version ${row.version} is dirty: it failed half-way when golang-migrate ran it. ` +
        `Inspect the database and finish or undo that migration by hand, then clear the flag — if version ${row.version} is ` +
        `now fully applied: \`UPDATE ${source} SET dirty = false\`; if you undid it: ` +
        `\`UPDATE ${source} SET version = <the version before it>, dirty = false\` (what \`migrate force\` does) — and run again`,
      { migration: row.version },
    );
  }
  const current = BigInt(row.version);
  const applied = set.migrations
    .filter((m) => BigInt(m.version) <= current)
    .map((m) => ({ version: m.version, name: m.name, appliedBy: 'golang-migrate' }));
  if (current >= 0n && !set.migrations.some((m) => BigInt(m.version) === current)) {
    // golang-migrate itself refuses a version it has no file for ("no migration found").
    applied.push({ version: row.version, name: row.version, appliedBy: 'golang-migrate' });
  }
  return { tool: 'golang-migrate', source, applied };
}

export async function readDbmate(input: ToolReaderInput): Promise<ToolHistory | null> {
  const { conn, set } = input;
  const found = await findToolTable(conn, input.settings.table, SCHEMA_MIGRATIONS);
  if (!found) return null;
  const { source, columns } = found;
  if (columns.has('dirty')) {
    throw new InputError(
      `${source} has a "dirty" column, so it is golang-migrate's table, not dbmate's; ` +
        'if golang-migrate migrated this database, run with --layout golang-migrate',
    );
  }
  const { rows } = await conn.query<{ version: string }>(`SELECT version::text AS version FROM ${source}`);
  const byVersion = new Map(set.migrations.map((m) => [m.version, m]));
  const applied = rows
    .map((row) => {
      const migration =
        byVersion.get(row.version) ??
        set.migrations.find((m) => compareVersions(m.version, row.version) === 0);
      return {
        version: migration?.version ?? row.version,
        name: migration?.name ?? row.version,
        appliedBy: 'dbmate',
      };
    })
    .sort((a, b) => compareVersions(a.version, b.version));
  return { tool: 'dbmate', source, applied };
}
