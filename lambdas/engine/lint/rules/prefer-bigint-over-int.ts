import type { LintRule } from '../rule.ts';
import { eachColumn } from './column-types.ts';

const INTEGER_TYPES = new Set(['int4', 'serial', 'serial4']);

export const preferBigintOverInt: LintRule = {
  id: 'prefer-bigint-over-int',
  severity: 'warning',
  parity: 'squawk',
  catches: 'integer (and serial) columns',
  instead: 'bigint (or bigint GENERATED … AS IDENTITY for keys)',
  check(context) {
    return eachColumn(context, (column, table) =>
      INTEGER_TYPES.has(column.type)
        ? [
            `${table}.${column.name} is ${column.type.startsWith('int') ? 'an integer' : 'a serial'} type that overflows at about 2.1 billion; widening it later rewrites the whole table under an ACCESS EXCLUSIVE lock. bigint costs four bytes more per row.`,
            `${column.name} bigint`,
          ]
        : undefined,
    );
  },
};
