import type { ClassifiedStatement } from '../../sql/change.ts';
import { blocksWrites } from '../../sql/change.ts';
import type { LintSection } from '../context.ts';
import type { LintRule, RuleHit } from '../rule.ts';
import { hit } from '../rule.ts';

const BULK_DML = new Set(['update', 'delete', 'merge']);

export const ddlWithLargeDml: LintRule = {
  id: 'ddl-with-large-dml',
  severity: 'error',
  parity: 'stepmigrate',
  catches:
    'schema changes that lock an existing table and UPDATE / DELETE / MERGE / INSERT … SELECT in the same transactional section',
  instead: 'put the data change (batched) in a migration of its own',
  check(context) {
    return context.sections.flatMap((section) => (section.transaction ? mixed(section) : []));
  },
};

function mixed(section: LintSection): RuleHit[] {
  const statements = section.statements;
  const ddlIndex = statements.findIndex((s, i) => s.ddl && lockedExisting(section, s, i).length > 0);
  if (ddlIndex === -1) return [];
  const ddl = statements[ddlIndex]!;
  const locked = lockedExisting(section, ddl, ddlIndex);
  return statements
    .filter((s, i) => isBulkDml(section, s, i))
    .map((statement) =>
      hit(
        section,
        statement,
        `This ${section.name} section changes the schema (line ${ddl.line} locks ${locked.join(', ')} against writes) and also changes rows in bulk. Both run in one transaction, so that lock is held until the data change finishes, blocking traffic for as long as the UPDATE/DELETE takes. Move the data change to its own migration and batch it.`,
        'a separate migration: UPDATE … WHERE id BETWEEN <batch> … (repeat per batch)',
      ),
    );
}

function lockedExisting(section: LintSection, statement: ClassifiedStatement, index: number): string[] {
  return statement.locks
    .filter((lock) => blocksWrites(lock.mode) && !section.isNewTable(lock.table, index))
    .filter((lock) => !statement.changes.some((c) => c.kind === 'create_table' && c.object === lock.table))
    .map((lock) => lock.table);
}

function isBulkDml(section: LintSection, statement: ClassifiedStatement, index: number): boolean {
  return statement.changes.some(
    (change) =>
      (BULK_DML.has(change.kind) || (change.kind === 'insert' && change.fromQuery === true)) &&
      !section.isNewTable(change.table, index),
  );
}
