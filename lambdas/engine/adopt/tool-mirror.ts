// Keeping the other tool's own bookkeeping up to date as stepmigrate applies and reverts, in
// the same transaction as the migration, so a team can switch back to that tool (or run both
// during a cut-over) and see the same state. Each tool's rows are written as that tool writes
// them. Sqitch is left out: its change_id hashes plan metadata stepmigrate does not keep.
//
// golang-migrate also needs this to run its own projects: it keeps `schema_migrations`
// present, holding the running version marked dirty, WHILE each migration runs, and real
// projects' migrations read or alter that table. Without it they fail on a fresh database.
import type { SqlConnection } from '../../ports.ts';
import type { SectionHooks } from '../apply.ts';
import type { Direction, Migration, MigrationSet } from '../model.ts';
import { quoteIdent } from '../sql/identifiers.ts';
import { flywayChecksum } from './flyway-checksum.ts';
import { FLYWAY_TABLE, flywayConfLocation } from './flyway-history.ts';
import { SCHEMA_MIGRATIONS } from './schema-migrations.ts';
import {
  type AdoptSettings,
  locateTable,
  readMigrationBytes,
  type ToolName,
  toolOfLayout,
} from './tool-history.ts';

/** Whether a run keeps `set`'s tool table up to date: asked for, or needed by the migrations themselves. */
function mirrorsToolHistory(set: MigrationSet, settings: AdoptSettings): boolean {
  if (toolOfLayout(set.layout) === 'sqitch') return false;
  if (settings.keepToolHistory !== undefined) return settings.keepToolHistory;
  return set.layout === 'golang-migrate' && referencesOwnTable(set, settings);
}

function referencesOwnTable(set: MigrationSet, settings: AdoptSettings): boolean {
  const table = (settings.table ?? SCHEMA_MIGRATIONS).split('.').at(-1)!;
  const pattern = new RegExp(`\\b${table.replace(/[^\w]/g, '')}\\b`, 'i');
  return set.migrations.some((m) => pattern.test(m.up.sql) || (m.down !== null && pattern.test(m.down.sql)));
}

/** The qualified names of the tables a mirror writes (left out of schema fingerprints: bookkeeping is not schema). */
export async function mirrorTable(
  conn: SqlConnection,
  set: MigrationSet,
  settings: AdoptSettings,
): Promise<string> {
  const tool: ToolName = toolOfLayout(set.layout);
  // The same table the import read: Flyway's own flyway.conf may name it or its schema.
  const conf = tool === 'flyway' ? await flywayConfLocation(set) : {};
  const { schema, table } = await locateTable(
    conn,
    settings.table ?? conf.table,
    tool === 'flyway' ? FLYWAY_TABLE : SCHEMA_MIGRATIONS,
    conf.schema,
  );
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** The writes that mirror one section, run inside its transaction; none when the run keeps no tool table. */
export async function mirrorHooks(
  conn: SqlConnection,
  set: MigrationSet,
  settings: AdoptSettings,
  migration: Migration,
  direction: Direction,
): Promise<SectionHooks | undefined> {
  if (!mirrorsToolHistory(set, settings)) return undefined;
  const table = await mirrorTable(conn, set, settings);
  const tool = toolOfLayout(set.layout);
  if (tool === 'golang-migrate') return golangMigrateHooks(table, set, migration, direction);
  if (tool === 'dbmate') return dbmateHooks(table, migration, direction);
  return flywayHooks(table, set, migration, direction);
}

/** As golang-migrate's postgres driver: one row, set dirty before the migration runs and clean after. */
function golangMigrateHooks(
  table: string,
  set: MigrationSet,
  migration: Migration,
  direction: Direction,
): SectionHooks {
  const index = set.migrations.findIndex((m) => m.version === migration.version);
  const previous = set.migrations[index - 1];
  const target = direction === 'up' ? migration.version : (previous?.version ?? '-1');
  const setVersion = async (conn: SqlConnection, dirty: boolean) => {
    await conn.query(`DELETE FROM ${table}`);
    if (target !== '-1' || dirty) {
      await conn.query(`INSERT INTO ${table} (version, dirty) VALUES ($1, $2)`, [target, dirty]);
    }
  };
  return {
    before: async (conn) => {
      await conn.query(
        `CREATE TABLE IF NOT EXISTS ${table} (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)`,
      );
      await setVersion(conn, true);
    },
    after: (conn) => setVersion(conn, false),
  };
}

/** As dbmate: one row per applied version, written after the migration, deleted after its rollback. */
function dbmateHooks(table: string, migration: Migration, direction: Direction): SectionHooks {
  return {
    before: async (conn) => {
      await conn.query(`CREATE TABLE IF NOT EXISTS ${table} (version varchar(128) PRIMARY KEY)`);
    },
    after: async (conn) => {
      if (direction === 'up') {
        await conn.query(`INSERT INTO ${table} (version) VALUES ($1) ON CONFLICT DO NOTHING`, [
          migration.version,
        ]);
      } else await conn.query(`DELETE FROM ${table} WHERE version = $1`, [migration.version]);
    },
  };
}

/** As Flyway: a success row per migration run (type SQL), an UNDO_SQL row per undo, ranked after the rest. */
function flywayHooks(
  table: string,
  set: MigrationSet,
  migration: Migration,
  direction: Direction,
): SectionHooks {
  const file = direction === 'up' ? migration.file : (migration.downFile ?? migration.file);
  return {
    before: async (conn) => {
      await conn.query(`CREATE TABLE IF NOT EXISTS ${table} (
        installed_rank integer NOT NULL PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL,
        type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum integer, installed_by varchar(100) NOT NULL,
        installed_on timestamp NOT NULL DEFAULT now(), execution_time integer NOT NULL, success boolean NOT NULL)`);
    },
    after: async (conn) => {
      const checksum = flywayChecksum(await readMigrationBytes(set, file));
      await conn.query(
        `INSERT INTO ${table} (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
         SELECT coalesce(max(installed_rank), 0) + 1, $1, $2, $3, $4, $5, current_user, 0, true FROM ${table}`,
        [
          migration.repeatable ? null : (migration.baselineOf ?? migration.version),
          migration.name.replace(/_/g, ' '),
          direction === 'down' ? 'UNDO_SQL' : migration.baselineOf !== undefined ? 'SQL_BASELINE' : 'SQL',
          file, // relative to the location, as Flyway records a script in a subdirectory
          checksum,
        ],
      );
    },
  };
}

/** The tool tables this run writes besides its own history, for schemaState to leave out. */
export async function bookkeepingTables(
  conn: SqlConnection,
  set: MigrationSet,
  settings: AdoptSettings = {},
): Promise<string[]> {
  return mirrorsToolHistory(set, settings) ? [await mirrorTable(conn, set, settings)] : [];
}
