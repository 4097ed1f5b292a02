import type { LintRule } from '../rule.ts';
import { eachColumn } from './column-types.ts';

const SMALL_INTEGER_TYPES = new Set(['int4', 'int2', 'serial', 'serial4', 'smallserial', 'serial2']);

export const preferBigintOverInt: LintRule = {
  id: 'prefer-bigint-over-int',
  severity: 'warning',
  catches: 'integer / smallint (and serial / smallserial) columns',
  instead: 'bigint (or bigint GENERATED … AS IDENTITY for keys)',
  check(context) {
    return eachColumn(context, (column, table) =>
      SMALL_INTEGER_TYPES.has(column.type)
        ? [
            `${table}.${column.name} is ${column.type.startsWith('int') ? 'an integer' : 'a serial'} type that overflows at ${column.type.endsWith('2') || column.type === 'smallserial' ? '32,767' : 'about 2.1 billion'}; widening it later rewrites the whole table under an ACCESS EXCLUSIVE lock. bigint costs a few bytes per row.`,
            `${column.name} bigint`,
          ]
        : undefined,
    );
  },
};
