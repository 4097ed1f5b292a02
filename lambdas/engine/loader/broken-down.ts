// golang-migrate reads a down file only when it migrates down, so a project whose down file
// does not parse still migrates up with golang-migrate. stepmigrate reads such a file the same
// way: it is no input error for the project, but that migration has no down section it can
// run. The migration's rollback is restore-only, and the lint rule `down-syntax-error` (an
// error unless allowed) says so with the file, line and PostgreSQL's message.
import { InputError } from '../errors.ts';
import type { Migration, MigrationSet } from '../model.ts';
import { splitStatements, syntaxErrorMessage } from '../sql/parse.ts';

/** Needs the SQL parser loaded. Migrations whose down section does not parse lose it, keeping why. */
export function setAsideBrokenDowns(set: MigrationSet): MigrationSet {
  return { ...set, migrations: set.migrations.map(setAsideBrokenDown) };
}

function setAsideBrokenDown(migration: Migration): Migration {
  if (migration.down === null) return migration;
  const file = migration.downFile ?? migration.file;
  try {
    splitStatements(migration.down.sql, { file, startLine: migration.down.startLine });
    return migration;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const message = syntaxErrorMessage(error) ?? error.message;
    const line = error.line ?? migration.down.startLine;
    const { down: _unreadable, ...rest } = migration;
    return {
      ...rest,
      down: null,
      irreversible: true,
      irreversibleReason: `has a down file that does not parse (${file}:${line}: ${message}), so its rollback is restore-only`,
      downSyntaxError: { file, line, column: error.column ?? 1, message },
    };
  }
}
