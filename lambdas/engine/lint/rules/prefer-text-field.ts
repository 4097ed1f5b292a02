import type { LintRule } from '../rule.ts';
import { eachColumn } from './column-types.ts';

export const preferTextField: LintRule = {
  id: 'prefer-text-field',
  severity: 'warning',
  parity: 'squawk',
  catches: 'varchar(n) columns',
  instead: 'text, with a CHECK (length(col) <= n) when the limit is a business rule',
  check(context) {
    return eachColumn(context, (column, table) =>
      column.type === 'varchar' && column.typmods.length > 0
        ? [
            `${table}.${column.name} is varchar(${column.typmods[0]}): raising the limit later needs ALTER COLUMN TYPE, and lowering it rewrites the table under ACCESS EXCLUSIVE. text with a CHECK on the length stores the same and its limit changes with a NOT VALID constraint.`,
            `${column.name} text CHECK (length(${column.name}) <= ${column.typmods[0]})`,
          ]
        : undefined,
    );
  },
};
