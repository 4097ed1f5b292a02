// Classifies parsed statements (what they change, which locks they take, whether they rewrite,
// scan or destroy table data, whether they may run in a transaction block) and summarises a
// migration for the Backup step. Unqualified names resolve to `public.` (default search_path).

import { InputError } from '../errors.ts';
import type { Migration, MigrationSection } from '../model.ts';
import type { ClassifiedStatement, SectionName } from './change.ts';
import { classifyData } from './classify-data.ts';
import { classifyDrop, classifyRename, classifyTruncate } from './classify-drop.ts';
import {
  classifyCluster,
  classifyCreateIndex,
  classifyLock,
  classifyRefresh,
  classifyReindex,
  classifyVacuum,
} from './classify-maintenance.ts';
import { classifyObject } from './classify-objects.ts';
import { classifyAlterTable, classifyCreateTable } from './classify-table.ts';
import { StatementEffects } from './effects.ts';
import { relationName } from './names.ts';
import { type SqlStatement, splitStatements } from './parse.ts';

export type { ClassifiedStatement } from './change.ts';

export interface ClassifyOptions {
  /** Major PostgreSQL version of the target; decides a few version-dependent answers. Default 17. */
  postgresVersion?: number;
}

export const DEFAULT_POSTGRES_VERSION = 17;

export function classifyStatement(
  statement: SqlStatement,
  options: ClassifyOptions = {},
): ClassifiedStatement {
  const effects = new StatementEffects();
  const node = statement.ast;
  const postgresVersion = options.postgresVersion ?? DEFAULT_POSTGRES_VERSION;
  if ('CreateStmt' in node) classifyCreateTable(node.CreateStmt, effects);
  else if ('AlterTableStmt' in node) classifyAlterTableLike(node.AlterTableStmt, effects);
  else if ('DropStmt' in node) classifyDrop(node.DropStmt, effects);
  else if ('TruncateStmt' in node) classifyTruncate(node.TruncateStmt, effects);
  else if ('RenameStmt' in node) classifyRename(node.RenameStmt, effects);
  else if ('IndexStmt' in node) classifyCreateIndex(node.IndexStmt, effects);
  else if ('ReindexStmt' in node) classifyReindex(node.ReindexStmt, effects);
  else if ('VacuumStmt' in node) classifyVacuum(node.VacuumStmt, effects);
  else if ('ClusterStmt' in node) classifyCluster(node.ClusterStmt, effects);
  else if ('RefreshMatViewStmt' in node) classifyRefresh(node.RefreshMatViewStmt, effects);
  else if ('LockStmt' in node) classifyLock(node.LockStmt, effects);
  else if (!classifyData(node, effects) && !classifyObject(node, effects, { postgresVersion })) {
    effects.change({ kind: 'other' });
  }
  return effects.finish(statement);
}

function classifyAlterTableLike(
  stmt: Parameters<typeof classifyAlterTable>[0],
  effects: StatementEffects,
): void {
  if (stmt.objtype === 'OBJECT_TYPE') {
    effects.change({ kind: 'alter_type', object: relationName(stmt.relation) });
    return;
  }
  classifyAlterTable(stmt, effects);
}

/** Parses and classifies one section; a syntax error is an InputError naming the migration. */
export function classifySection(
  migration: Migration,
  section: MigrationSection,
  file: string,
  options: ClassifyOptions = {},
): ClassifiedStatement[] {
  try {
    return splitStatements(section.sql, { file, startLine: section.startLine }).map((statement) =>
      classifyStatement(statement, options),
    );
  } catch (error) {
    if (!(error instanceof InputError) || error.migration !== undefined) throw error;
    throw new InputError(error.message, {
      migration: migration.version,
      file: error.file,
      line: error.line,
      column: error.column,
      cause: error.cause,
    });
  }
}

export interface MigrationAnalysis {
  statements: Record<SectionName, ClassifiedStatement[]>;
  /** Every table ("schema.table") the up section locks, creates, changes or drops. */
  affectedTables: string[];
  /**
   * Tables that exist before the migration and whose row values the up section can delete or
   * change (DROP TABLE/COLUMN, TRUNCATE, DELETE, UPDATE, MERGE, ALTER COLUMN TYPE…): Backup
   * copies these. Tables the migration creates itself are left out; a table renamed earlier in
   * the section is reported under its name before the migration.
   */
  backupTables: string[];
}

interface CachedAnalysis {
  key: string;
  sections: [string, string | undefined, string | undefined];
  analysis: MigrationAnalysis;
}

/**
 * Validate, the planner and the linter all analyse the same Migration objects; parsing is the
 * expensive part, so the result is kept per object for as long as the object lives (and is
 * recomputed if its SQL or the options differ).
 */
const analysisCache = new WeakMap<Migration, CachedAnalysis>();

export function analyzeMigration(migration: Migration, options: ClassifyOptions = {}): MigrationAnalysis {
  const key = [
    options.postgresVersion ?? DEFAULT_POSTGRES_VERSION,
    migration.file,
    migration.up.startLine,
    migration.down?.startLine,
    migration.verify?.startLine,
    migration.irreversible,
  ].join('|');
  const sections: CachedAnalysis['sections'] = [migration.up.sql, migration.down?.sql, migration.verify?.sql];
  const cached = analysisCache.get(migration);
  if (cached !== undefined && cached.key === key && cached.sections.every((sql, i) => sql === sections[i])) {
    return cached.analysis;
  }
  const analysis = analyzeUncached(migration, options);
  analysisCache.set(migration, { key, sections, analysis });
  return analysis;
}

function analyzeUncached(migration: Migration, options: ClassifyOptions): MigrationAnalysis {
  const statements: Record<SectionName, ClassifiedStatement[]> = {
    up: classifySection(migration, migration.up, migration.file, options),
    down: migration.down
      ? classifySection(migration, migration.down, migration.downFile ?? migration.file, options)
      : [],
    verify: migration.verify
      ? classifySection(migration, migration.verify, migration.verifyFile ?? migration.file, options)
      : [],
  };
  return { statements, ...tablesOf(statements.up, migration.irreversible) };
}

/**
 * Tables an INSERT or COPY FROM adds rows to. A down section deletes them again; an
 * irreversible migration has none, so only its backup can take them back out.
 */
function insertedInto(statement: ClassifiedStatement): string[] {
  return statement.changes
    .filter(
      (change) =>
        change.kind === 'insert' ||
        (change.kind === 'copy' &&
          statement.locks.some((lock) => lock.table === change.table && lock.mode === 'ROW EXCLUSIVE')),
    )
    .flatMap((change) => (change.table === undefined ? [] : [change.table]));
}

function tablesOf(
  up: ClassifiedStatement[],
  irreversible: boolean,
): { affectedTables: string[]; backupTables: string[] } {
  const affected = new Set<string>();
  const backup = new Set<string>();
  const createdHere = new Set<string>();
  const originalName = new Map<string, string>();
  const original = (table: string): string => originalName.get(table) ?? table;
  for (const statement of up) {
    const atRisk = irreversible ? [...statement.destroys, ...insertedInto(statement)] : statement.destroys;
    for (const table of atRisk) {
      if (!createdHere.has(table)) backup.add(original(table));
    }
    for (const lock of statement.locks) affected.add(original(lock.table));
    for (const change of statement.changes) {
      if (change.table !== undefined) affected.add(original(change.table));
      if (change.kind === 'create_table' && change.object !== undefined) createdHere.add(change.object);
      trackRename(change, originalName, createdHere);
    }
  }
  return { affectedTables: [...affected].sort(), backupTables: [...backup].sort() };
}

/** Follows ALTER TABLE … RENAME / SET SCHEMA so later statements map back to the pre-migration name. */
function trackRename(
  change: ClassifiedStatement['changes'][number],
  originalName: Map<string, string>,
  createdHere: Set<string>,
): void {
  if ((change.kind !== 'rename_table' && change.kind !== 'move_table') || change.table === undefined) return;
  const dot = change.table.lastIndexOf('.');
  const renamed =
    change.kind === 'rename_table'
      ? `${change.table.slice(0, dot)}.${change.newName}`
      : `${change.newName}.${change.table.slice(dot + 1)}`;
  originalName.set(renamed, originalName.get(change.table) ?? change.table);
  if (createdHere.has(change.table)) createdHere.add(renamed);
}
