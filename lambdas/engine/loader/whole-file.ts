// golang-migrate and Flyway keep the up and down SQL in separate files with no section
// markers: the whole file is the section. The same rules as the native layout apply to
// them (an up with no SQL, or a down with nothing in it at all, is refused).
import { checksumSql } from '../checksum.ts';
import type { Migration, MigrationSection } from '../model.ts';
import { scanLintDirectives } from './directives.ts';
import { type SourceFile, sourceText } from './files.ts';
import type { LoaderProblem } from './problems.ts';
import { hasSql } from './sql-text.ts';
import { canRunInTransaction } from './transaction-hint.ts';

export interface WholeFileMigration {
  version: string;
  name: string;
  up: SourceFile;
  /** Absent: the migration is irreversible. */
  down?: SourceFile;
  /** Why there is no down file, for messages, e.g. "has no undo file (U2__x.sql): its rollback is restore-only". */
  missingDown?: string;
  /** Overrides the transaction detection (Flyway's `executeInTransaction`). */
  transaction?: boolean;
}

export function wholeFileSection(text: string, transaction?: boolean): MigrationSection {
  const sql = sourceText(text);
  return { sql, startLine: 1, transaction: transaction ?? canRunInTransaction(sql) };
}

export function buildWholeFileMigration(parts: WholeFileMigration): {
  migration: Migration | null;
  problems: LoaderProblem[];
} {
  const up = wholeFileSection(parts.up.text, parts.transaction);
  const down = parts.down ? wholeFileSection(parts.down.text, parts.transaction) : null;
  const { lintAllows, problems } = scanLintDirectives(parts.up.name, up.sql);
  if (parts.down) {
    const inDown = scanLintDirectives(parts.down.name, down!.sql);
    problems.push(...inDown.problems);
    // The one finding about the down file itself may be allowed there (see broken-down.ts).
    lintAllows.push(...inDown.lintAllows.filter((allow) => allow.rule === 'down-syntax-error'));
  }
  if (!hasSql(up.sql)) {
    problems.push({
      file: parts.up.name,
      line: 1,
      message: 'the file has no SQL (comments only); write the change',
    });
  }
  if (parts.down && down!.sql.trim() === '') {
    problems.push({
      file: parts.down.name,
      line: 1,
      message: `the down file is empty; write the SQL that undoes ${parts.up.name}, a comment saying why nothing needs undoing, or delete it to mark the migration irreversible`,
    });
  }
  if (problems.length > 0) return { migration: null, problems };
  const migration: Migration = {
    version: parts.version,
    name: parts.name,
    file: parts.up.name,
    up,
    down,
    irreversible: down === null,
    verify: null,
    lintAllows,
    checksum: checksumSql(up.sql),
  };
  if (parts.down) migration.downFile = parts.down.name;
  else if (parts.missingDown !== undefined) migration.irreversibleReason = parts.missingDown;
  return { migration, problems };
}
