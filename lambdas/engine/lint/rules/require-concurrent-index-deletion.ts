import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const requireConcurrentIndexDeletion: LintRule = {
  id: 'require-concurrent-index-deletion',
  severity: 'warning',
  parity: 'squawk',
  catches: 'DROP INDEX without CONCURRENTLY',
  instead: 'DROP INDEX CONCURRENTLY IF EXISTS in a `transaction:false` section',
  check(context) {
    return eachChange(context, (change, statement, section, index) => {
      if (change.kind !== 'drop_index' || change.concurrently || change.object === undefined) return;
      const table = context.createdByUp.indexes.get(change.object);
      if (section.isNewTable(table, index)) return;
      if (section.name === 'down' && table !== undefined && context.createdByUp.tables.has(table)) return;
      return hit(
        section,
        statement,
        `DROP INDEX ${change.object} takes an ACCESS EXCLUSIVE lock on its table; it is brief, but while it waits behind a long query every other query on the table queues behind it. DROP INDEX CONCURRENTLY waits without blocking others.`,
        `-- migrate:${section.name} transaction:false\nDROP INDEX CONCURRENTLY IF EXISTS ${change.object};`,
      );
    });
  },
};
