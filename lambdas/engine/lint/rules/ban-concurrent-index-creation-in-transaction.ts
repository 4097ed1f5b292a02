import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const banConcurrentIndexCreationInTransaction: LintRule = {
  id: 'ban-concurrent-index-creation-in-transaction',
  severity: 'error',
  catches: 'CREATE INDEX CONCURRENTLY in a section that runs inside a transaction',
  instead: 'put it in its own migration with `-- migrate:up transaction:false`',
  check(context) {
    return eachChange(context, (change, statement, section) => {
      if (change.kind !== 'create_index' || !change.concurrently || !section.transaction) return;
      return hit(
        section,
        statement,
        `CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and this ${section.name} section runs in one: PostgreSQL refuses it and the migration fails. Move it to a migration of its own whose section is marked transaction:false.`,
        `-- migrate:${section.name} transaction:false`,
      );
    });
  },
};
