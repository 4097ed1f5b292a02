// golang-migrate files often wrap themselves in `BEGIN; … COMMIT;`, as Sqitch scripts do.
// Run as written (statement by statement), a failure inside leaves the database clean —
// PostgreSQL rolls the file's own transaction back — but its history row dirty, so Rollback
// stops for a person. With the wrapper blanked like a Sqitch script's, the body runs in the
// engine's transaction together with its history row instead. The checksum stays that of
// the file as written; a file that is not wrapped exactly so is left as it was.
import type { Migration, MigrationSection, MigrationSet } from '../model.ts';
import { loadSqlParser } from '../sql/parse.ts';
import { scriptSection } from './sqitch-script.ts';

export async function unwrapTransactions(set: MigrationSet): Promise<MigrationSet> {
  await loadSqlParser();
  return { ...set, migrations: set.migrations.map(unwrapMigration) };
}

function unwrapMigration(migration: Migration): Migration {
  return {
    ...migration,
    up: unwrapSection(migration.file, migration.up),
    down: migration.down && unwrapSection(migration.downFile ?? migration.file, migration.down),
  };
}

function unwrapSection(file: string, section: MigrationSection): MigrationSection {
  if (section.transaction) return section;
  // Syntax errors and psql commands are reported by Validate as for any file; here they just mean "leave it".
  const built = scriptSection(file, section.sql, 'deploy');
  if (built.problems.length > 0 || !built.section || built.section.sql === section.sql) return section;
  return { ...section, sql: built.section.sql, transaction: built.section.transaction };
}
