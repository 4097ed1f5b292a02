import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const changingColumnType: LintRule = {
  id: 'changing-column-type',
  severity: 'error',
  parity: 'squawk',
  catches: 'ALTER COLUMN … TYPE on an existing table',
  instead: 'add a new column, dual-write and backfill in batches, switch readers, drop the old column later',
  check(context) {
    return eachChange(context, (change, statement, section, index) => {
      if (change.kind !== 'alter_column_type' || section.isNewTable(change.table, index)) return;
      const column = `${change.table}.${change.columnName}`;
      return hit(
        section,
        statement,
        `Changing the type of ${column} rewrites every row of ${change.table} (and rebuilds its indexes) under an ACCESS EXCLUSIVE lock, blocking reads and writes for the whole rewrite; values that do not convert cleanly are lost or fail the migration. Add a new column of the new type, backfill it in batches, move readers over, then drop the old column.`,
        `ALTER TABLE ${change.table} ADD COLUMN ${change.columnName}_new <new type>; -- backfill in batches, switch readers, drop ${change.columnName} later`,
      );
    });
  },
};
