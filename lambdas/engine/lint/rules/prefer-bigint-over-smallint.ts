import type { LintRule } from '../rule.ts';
import { eachColumn } from './column-types.ts';

const SMALLINT_TYPES = new Set(['int2', 'smallserial', 'serial2']);

export const preferBigintOverSmallint: LintRule = {
  id: 'prefer-bigint-over-smallint',
  severity: 'warning',
  parity: 'squawk',
  catches: 'smallint (and smallserial) columns',
  instead: 'bigint (or bigint GENERATED … AS IDENTITY for keys)',
  check(context) {
    return eachColumn(context, (column, table) =>
      SMALLINT_TYPES.has(column.type)
        ? [
            `${table}.${column.name} is a 16-bit ${column.type === 'int2' ? 'smallint' : 'smallserial'} that overflows at 32,767; widening it later rewrites the whole table under an ACCESS EXCLUSIVE lock. bigint costs six bytes more per row.`,
            `${column.name} bigint`,
          ]
        : undefined,
    );
  },
};
