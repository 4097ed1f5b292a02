import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const banDropTable: LintRule = {
  id: 'ban-drop-table',
  severity: 'error',
  parity: 'squawk',
  catches: 'DROP TABLE of a table that existed before the migration',
  instead:
    'stop using the table, rename it aside for a release, then drop it with `-- lint:allow ban-drop-table <reason>`',
  check(context) {
    return eachChange(context, (change, statement, section, index) => {
      if (change.kind !== 'drop_table' || section.isNewTable(change.table, index)) return;
      if (section.name === 'down' && context.createdByUp.tables.has(change.table ?? '')) return;
      return hit(
        section,
        statement,
        `DROP TABLE ${change.table} deletes the table and all its rows, and any application code still using it fails at once. Deploy code that no longer uses it first, then drop it in its own migration with a verify section and record why with -- lint:allow.`,
        `-- lint:allow ban-drop-table ${change.table} unused since release <x>`,
      );
    });
  },
};
