import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const banTruncateCascade: LintRule = {
  id: 'ban-truncate-cascade',
  severity: 'error',
  parity: 'squawk',
  catches: 'TRUNCATE … CASCADE',
  instead: 'TRUNCATE (or DELETE from) each table by name, children first',
  check(context) {
    return eachChange(context, (change, statement, section) => {
      if (change.kind !== 'truncate' || !change.cascade) return;
      return hit(
        section,
        statement,
        `TRUNCATE ${change.table} CASCADE also empties every table that has a foreign key to ${change.table}, and to those tables in turn — tables this migration never names, so Backup cannot copy them first. Name every table you mean to empty.`,
        `TRUNCATE <child tables…>, ${change.table};`,
      );
    });
  },
};
