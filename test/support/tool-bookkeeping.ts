// Bookkeeping rows written the way Flyway and golang-migrate write them, for the adoption
// tests on machines where those tools cannot be installed (neither is in a registry we reach).
// Where the shapes come from:
//   - Flyway: the PostgreSQL `createMetaDataTable.sql` of flyway-core and its
//     `JdbcTableSchemaHistory.doAddAppliedMigration` (columns, types, one row per migration
//     in `installed_rank` order, repeatables with a NULL version, `BASELINE` / `UNDO_SQL` /
//     `SCHEMA` types, `success`), and `ChecksumCalculator` for the checksum;
//   - golang-migrate: `database/postgres/postgres.go` (`schema_migrations (version bigint
//     NOT NULL PRIMARY KEY, dirty boolean NOT NULL)`, `SetVersion` replacing the one row).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { flywayChecksum } from '../../lambdas/engine/adopt/flyway-checksum.ts';
import type { SqlConnection } from '../../lambdas/ports.ts';

export interface FlywayEvent {
  /** `V…`/`R__…`/`U…` script name under the location, or a marker row. */
  script: string;
  type?: 'SQL' | 'BASELINE' | 'UNDO_SQL' | 'SCHEMA';
  version?: string | null;
  description?: string;
  success?: boolean;
  /** The checksum to record instead of the file's (a tampered history). */
  checksum?: number | null;
}

/** Creates `<schema>.flyway_schema_history` as Flyway does on PostgreSQL. */
export async function createFlywayTable(conn: SqlConnection, schema = 'public'): Promise<void> {
  const table = `"${schema}"."flyway_schema_history"`;
  await conn.query(`
    CREATE TABLE ${table} (
      "installed_rank" INT NOT NULL,
      "version" VARCHAR(50),
      "description" VARCHAR(200) NOT NULL,
      "type" VARCHAR(20) NOT NULL,
      "script" VARCHAR(1000) NOT NULL,
      "checksum" INT,
      "installed_by" VARCHAR(100) NOT NULL,
      "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
      "execution_time" INT NOT NULL,
      "success" BOOLEAN NOT NULL,
      CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank"));
    CREATE INDEX "flyway_schema_history_s_idx" ON ${table} ("success");`);
}

/** Runs each versioned/repeatable script (as Flyway does, one transaction each) and records it. */
export async function migrateLikeFlyway(
  conn: SqlConnection,
  location: string,
  events: readonly FlywayEvent[],
  schema = 'public',
): Promise<void> {
  await createFlywayTable(conn, schema);
  let rank = 0;
  for (const event of events) {
    const type = event.type ?? 'SQL';
    const isScript = type === 'SQL' || type === 'UNDO_SQL';
    const raw = isScript ? await readFile(join(location, event.script)) : undefined;
    if (raw && event.success !== false) {
      await conn.query('BEGIN');
      await conn.query(raw.toString('utf8').replace(/^\uFEFF/, ''));
      await conn.query('COMMIT');
    }
    const parsed = /^[VUR](?:(\d+(?:[._]\d+)*))?__(.+)\.sql$/.exec(event.script);
    await conn.query(
      `INSERT INTO "${schema}"."flyway_schema_history"
         (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
       VALUES ($1, $2, $3, $4, $5, $6, current_user, 12, $7)`,
      [
        type === 'SCHEMA' ? 0 : ++rank,
        event.version !== undefined ? event.version : (parsed?.[1]?.replace(/_/g, '.') ?? null),
        event.description ?? parsed?.[2]?.replace(/_/g, ' ') ?? event.script,
        type,
        event.script,
        event.checksum !== undefined ? event.checksum : raw ? flywayChecksum(raw) : null,
        event.success ?? true,
      ],
    );
  }
}

/** Runs golang-migrate's up files up to `version` (one multi-statement exec each) and records it as it does. */
export async function migrateLikeGolangMigrate(
  conn: SqlConnection,
  directory: string,
  files: readonly string[],
  version: number,
  dirty = false,
): Promise<void> {
  await conn.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)',
  );
  for (const file of files) await conn.query(await readFile(join(directory, file), 'utf8'));
  await conn.query('BEGIN; TRUNCATE schema_migrations');
  await conn.query('INSERT INTO schema_migrations (version, dirty) VALUES ($1, $2)', [version, dirty]);
  await conn.query('COMMIT');
}
