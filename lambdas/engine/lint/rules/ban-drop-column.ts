import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const banDropColumn: LintRule = {
  id: 'ban-drop-column',
  severity: 'error',
  parity: 'squawk',
  catches: 'ALTER TABLE … DROP COLUMN on a column that existed before the migration',
  instead:
    'stop using the column in the application first, deploy, then drop it in a later migration with `-- lint:allow ban-drop-column <reason>`',
  check(context) {
    return eachChange(context, (change, statement, section, index) => {
      if (change.kind !== 'drop_column' || section.isNewTable(change.table, index)) return;
      const column = `${change.table}.${change.columnName}`;
      if (
        section.name === 'down' &&
        (context.createdByUp.columns.has(column) || context.createdByUp.tables.has(change.table ?? ''))
      )
        return;
      return hit(
        section,
        statement,
        `DROP COLUMN ${column} deletes the column's data for good, and any running application code that still reads or writes it starts failing at once. Deploy code that no longer uses the column first; then drop it in its own migration and record why with -- lint:allow.`,
        `-- lint:allow ban-drop-column ${change.columnName} unused since release <x>`,
      );
    });
  },
};
