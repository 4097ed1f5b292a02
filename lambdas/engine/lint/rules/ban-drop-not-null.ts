import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const banDropNotNull: LintRule = {
  id: 'ban-drop-not-null',
  severity: 'warning',
  parity: 'squawk',
  catches: 'ALTER COLUMN … DROP NOT NULL on an existing column',
  instead: 'make sure every reader handles NULL first; keep the constraint if unsure',
  check(context) {
    return eachChange(context, (change, statement, section, index) => {
      if (change.kind !== 'drop_not_null' || section.isNewTable(change.table, index)) return;
      const column = `${change.table}.${change.columnName}`;
      if (
        section.name === 'down' &&
        (context.createdByUp.notNullColumns.has(column) || context.createdByUp.columns.has(column))
      )
        return;
      return hit(
        section,
        statement,
        `DROP NOT NULL on ${column} lets NULLs in, and application code written for a column that was never NULL can fail on them; the down section cannot restore NOT NULL once NULLs exist. Deploy code that handles NULL first.`,
        `-- lint:allow ban-drop-not-null every reader of ${column} handles NULL since release <x>`,
      );
    });
  },
};
