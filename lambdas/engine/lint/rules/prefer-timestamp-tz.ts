import type { LintRule } from '../rule.ts';
import { eachColumn } from './column-types.ts';

export const preferTimestampTz: LintRule = {
  id: 'prefer-timestamp-tz',
  aliases: ['prefer-timestamptz'],
  severity: 'warning',
  parity: 'squawk',
  catches: 'timestamp (without time zone) columns',
  instead: 'timestamptz',
  check(context) {
    return eachColumn(context, (column, table) =>
      column.type === 'timestamp'
        ? [
            `${table}.${column.name} is timestamp without time zone: it stores wall-clock time with no zone, so values written from sessions in different time zones cannot be compared, and converting later rewrites the table. timestamptz stores an absolute instant.`,
            `${column.name} timestamptz`,
          ]
        : undefined,
    );
  },
};
