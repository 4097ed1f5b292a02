import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';
import { addsCheckedConstraint } from './inline-constraints.ts';

export const disallowedUniqueConstraint: LintRule = {
  id: 'disallowed-unique-constraint',
  severity: 'error',
  parity: 'squawk',
  catches: 'ADD CONSTRAINT … UNIQUE (or ADD COLUMN … UNIQUE) on an existing table without USING INDEX',
  instead: 'CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … UNIQUE USING INDEX',
  check(context) {
    return eachChange(context, (change, statement, section, index) => {
      if (!addsCheckedConstraint(change, 'unique') || section.isNewTable(change.table, index)) return;
      const name = change.constraint?.name ?? '<name>';
      return hit(
        section,
        statement,
        `Adding a UNIQUE constraint to ${change.table} builds its index while holding ACCESS EXCLUSIVE, blocking every read and write of ${change.table} for the whole build. Build the unique index CONCURRENTLY in a transaction:false migration, then attach it as the constraint, which is instant.`,
        `CREATE UNIQUE INDEX CONCURRENTLY ${name}_idx ON ${change.table} (…); -- next migration: ALTER TABLE ${change.table} ADD CONSTRAINT ${name} UNIQUE USING INDEX ${name}_idx;`,
      );
    });
  },
};
