import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const requireConcurrentIndexCreation: LintRule = {
  id: 'require-concurrent-index-creation',
  severity: 'error',
  parity: 'squawk',
  catches: 'CREATE INDEX without CONCURRENTLY on a table that existed before the migration',
  instead: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS in a `transaction:false` section',
  check(context) {
    return eachChange(context, (change, statement, section, index) => {
      if (change.kind !== 'create_index' || change.concurrently || section.isNewTable(change.table, index))
        return;
      const name = change.object ?? '<name>';
      return hit(
        section,
        statement,
        `CREATE INDEX on ${change.table} holds a SHARE lock for the whole build, blocking every INSERT, UPDATE and DELETE on ${change.table} until it finishes. Build it CONCURRENTLY in a migration whose section is marked transaction:false.`,
        `-- migrate:${section.name} transaction:false\nCREATE ${change.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY IF NOT EXISTS ${name.slice(name.indexOf('.') + 1)} ON ${change.table} (…);`,
      );
    });
  },
};
