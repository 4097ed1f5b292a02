import type { LintRule } from '../rule.ts';
import { eachColumn } from './column-types.ts';

export const banCharField: LintRule = {
  id: 'ban-char-field',
  severity: 'warning',
  parity: 'squawk',
  catches: 'columns of type char(n) / character(n)',
  instead: 'text (with a CHECK on length if the limit matters) or varchar',
  check(context) {
    return eachColumn(context, (column, table) =>
      column.type === 'bpchar'
        ? [
            `${table}.${column.name} is char(n): values are blank-padded to n characters, the padding is compared and returned in surprising ways, and it is no faster than text. Use text, with a CHECK (length(${column.name}) <= n) if the limit is a rule.`,
            `${column.name} text CHECK (length(${column.name}) <= ${column.typmods[0] ?? 'n'})`,
          ]
        : undefined,
    );
  },
};
