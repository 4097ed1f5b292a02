import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const addingRequiredField: LintRule = {
  id: 'adding-required-field',
  severity: 'error',
  parity: 'squawk',
  catches: 'ADD COLUMN … NOT NULL without a DEFAULT on an existing table',
  instead:
    'add the column nullable (or NOT NULL with a constant DEFAULT), backfill, then enforce NOT NULL through a validated CHECK',
  check(context) {
    return eachChange(context, (change, statement, section, index) => {
      const column = change.column;
      if (change.kind !== 'add_column' || column === undefined || section.isNewTable(change.table, index))
        return;
      if (!column.notNull || column.hasDefault) return;
      return hit(
        section,
        statement,
        `ADD COLUMN ${change.table}.${column.name} NOT NULL without a DEFAULT fails as soon as ${change.table} holds a row, and old application code that inserts without the column breaks. Add it nullable or with a constant DEFAULT, backfill, then make it NOT NULL.`,
        `ALTER TABLE ${change.table} ADD COLUMN ${column.name} <type> DEFAULT <constant> NOT NULL;  -- or nullable, then backfill`,
      );
    });
  },
};
