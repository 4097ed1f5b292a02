import type { LintRule } from '../rule.ts';
import { eachColumn } from './column-types.ts';

export const preferIdentity: LintRule = {
  id: 'prefer-identity',
  severity: 'warning',
  parity: 'squawk',
  catches: 'serial / bigserial / smallserial columns',
  instead: 'bigint GENERATED ALWAYS AS IDENTITY',
  check(context) {
    return eachColumn(context, (column, table) =>
      column.serial
        ? [
            `${table}.${column.name} is ${column.type}: its sequence is a separate object with its own ownership and grants, and nothing stops inserts of explicit ids that later collide. An identity column is standard SQL and ties the sequence to the column.`,
            `${column.name} bigint GENERATED ALWAYS AS IDENTITY`,
          ]
        : undefined,
    );
  },
};
