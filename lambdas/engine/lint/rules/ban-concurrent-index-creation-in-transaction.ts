import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const banConcurrentIndexCreationInTransaction: LintRule = {
  id: 'ban-concurrent-index-creation-in-transaction',
  severity: 'error',
  parity: 'squawk',
  catches:
    'CREATE INDEX CONCURRENTLY inside a transaction block (a transactional section, or BEGIN … COMMIT)',
  instead: 'put it in its own migration with `-- migrate:up transaction:false`',
  check(context) {
    return eachChange(context, (change, statement, section, index) => {
      if (change.kind !== 'create_index' || !change.concurrently || !section.inTransaction(index)) return;
      return hit(
        section,
        statement,
        `CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and here it runs in one (a transactional section, or after BEGIN): PostgreSQL refuses it and the migration fails. Move it to a migration of its own whose section is marked transaction:false.`,
        `-- migrate:${section.name} transaction:false`,
      );
    });
  },
};
