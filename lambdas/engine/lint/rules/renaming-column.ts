import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const renamingColumn: LintRule = {
  id: 'renaming-column',
  severity: 'error',
  parity: 'squawk',
  catches: 'ALTER TABLE … RENAME COLUMN on an existing table',
  instead: 'add the new column, write both, backfill, move readers, drop the old one later',
  check(context) {
    return eachChange(context, (change, statement, section, index) => {
      if (change.kind !== 'rename_column' || section.isNewTable(change.table, index)) return;
      return hit(
        section,
        statement,
        `Renaming ${change.table}.${change.columnName} to ${change.newName} breaks every running application instance that still uses the old name, from the moment the migration commits until the new code is deployed everywhere. Add the new column and migrate in steps (expand/contract), or use a view to keep the old name readable.`,
        `ALTER TABLE ${change.table} ADD COLUMN ${change.newName} <type>; -- dual-write, backfill, switch readers, drop ${change.columnName} later`,
      );
    });
  },
};
