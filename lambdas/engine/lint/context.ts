// Everything a rule may ask about one migration: its classified sections, which tables a
// section created before a given statement (changes to a brand-new table lock nobody), what
// the up section created (so a down that drops it is not "dangerous"), and the NOT NULL checks
// earlier migrations left behind.
import type { Migration, MigrationSection } from '../model.ts';
import type { ClassifiedStatement } from '../sql/change.ts';
import type { MigrationAnalysis } from '../sql/classify.ts';
import { type FilePosition, SectionPositions } from '../sql/positions.ts';
import type { NotNullChecks } from './not-null-checks.ts';
import { transactionBlocks } from './transaction-blocks.ts';

export interface LintSection {
  name: 'up' | 'down';
  file: string;
  /** 1-based file line of the section's first SQL line. */
  startLine: number;
  transaction: boolean;
  statements: ClassifiedStatement[];
  /** True when the statement at `index` runs inside a transaction block (see transaction-blocks.ts). */
  inTransaction(index: number): boolean;
  /**
   * True when `table` was created earlier in the same transaction block as the statement at
   * `index`: until that block commits, no other session can see the table, so its locks block
   * nobody and it holds no rows.
   */
  isNewTable(table: string | undefined, index: number): boolean;
  /** File position of a byte offset into the section's SQL (parse-node `location`s). */
  positionOf(byteOffset: number): FilePosition;
}

export interface CreatedByUp {
  tables: Set<string>;
  schemas: Set<string>;
  /** "schema.table.column" */
  columns: Set<string>;
  /** "schema.table.column" set NOT NULL by up. */
  notNullColumns: Set<string>;
  /** Index name → its table. */
  indexes: Map<string, string | undefined>;
}

export interface LintContext {
  migration: Migration;
  up: LintSection;
  down?: LintSection;
  /** up, then down when the migration has one. */
  sections: LintSection[];
  verify: ClassifiedStatement[];
  createdByUp: CreatedByUp;
  /** NOT NULL checks as left by every earlier migration. */
  notNullChecksBefore: NotNullChecks;
  postgresVersion: number;
  allowIrreversible: boolean;
}

export function buildContext(
  migration: Migration,
  analysis: MigrationAnalysis,
  notNullChecksBefore: NotNullChecks,
  options: { postgresVersion: number; allowIrreversible: boolean },
): LintContext {
  const up = lintSection('up', migration.file, migration.up, analysis.statements.up);
  const down =
    migration.down === null
      ? undefined
      : lintSection('down', migration.downFile ?? migration.file, migration.down, analysis.statements.down);
  const context: LintContext = {
    migration,
    up,
    sections: down === undefined ? [up] : [up, down],
    verify: analysis.statements.verify,
    createdByUp: createdBy(up.statements),
    notNullChecksBefore,
    ...options,
  };
  if (down !== undefined) context.down = down;
  return context;
}

function lintSection(
  name: 'up' | 'down',
  file: string,
  section: MigrationSection,
  statements: ClassifiedStatement[],
): LintSection {
  const createdAt = new Map<string, number>();
  statements.forEach((statement, index) => {
    for (const change of statement.changes) {
      if (change.kind === 'create_table' && change.object !== undefined && !createdAt.has(change.object)) {
        createdAt.set(change.object, index);
      }
    }
  });
  let positions: SectionPositions | undefined;
  let blocks: number[] | undefined;
  const blockOf = (index: number): number => {
    blocks ??= transactionBlocks(section.transaction, statements);
    return blocks[index] ?? -1;
  };
  return {
    name,
    file,
    startLine: section.startLine,
    transaction: section.transaction,
    statements,
    inTransaction: (index) => blockOf(index) !== -1,
    isNewTable: (table, index) => {
      const created = table === undefined ? undefined : createdAt.get(table);
      return (
        created !== undefined &&
        created < index &&
        blockOf(index) !== -1 &&
        blockOf(created) === blockOf(index)
      );
    },
    positionOf: (byteOffset) => {
      positions ??= new SectionPositions(section.sql, section.startLine);
      return positions.at(byteOffset);
    },
  };
}

function createdBy(statements: ClassifiedStatement[]): CreatedByUp {
  const created: CreatedByUp = {
    tables: new Set(),
    schemas: new Set(),
    columns: new Set(),
    notNullColumns: new Set(),
    indexes: new Map(),
  };
  for (const statement of statements) {
    for (const change of statement.changes) {
      if (change.kind === 'create_table' && change.object) created.tables.add(change.object);
      if (change.kind === 'create_schema' && change.object) created.schemas.add(change.object);
      if (change.kind === 'add_column') created.columns.add(`${change.table}.${change.columnName}`);
      if (change.kind === 'set_not_null') created.notNullColumns.add(`${change.table}.${change.columnName}`);
      if (change.kind === 'create_index' && change.object) created.indexes.set(change.object, change.table);
    }
  }
  return created;
}
