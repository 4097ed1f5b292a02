import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const renamingTable: LintRule = {
  id: 'renaming-table',
  severity: 'error',
  parity: 'squawk',
  catches: 'ALTER TABLE … RENAME TO on an existing table',
  instead: 'create the new table (or rename and leave a view with the old name) and migrate readers in steps',
  check(context) {
    return eachChange(context, (change, statement, section, index) => {
      if (change.kind !== 'rename_table' || section.isNewTable(change.table, index)) return;
      return hit(
        section,
        statement,
        `Renaming ${change.table} to ${change.newName} breaks every running application instance that still uses the old name until the new code is everywhere. Rename it and create a view with the old name in the same migration, then drop the view once nothing uses it.`,
        `ALTER TABLE ${change.table} RENAME TO ${change.newName}; CREATE VIEW ${change.table} AS SELECT * FROM <schema>.${change.newName};`,
      );
    });
  },
};
