import type { LintRule } from '../rule.ts';
import { hit } from '../rule.ts';
import { type SetNotNullVerdict, setNotNullFix, setNotNullVerdicts } from './set-not-null.ts';

export const addingNotNullableField: LintRule = {
  id: 'adding-not-nullable-field',
  aliases: ['set-not-null-without-check'],
  severity: 'error',
  parity: 'squawk',
  catches:
    'ALTER COLUMN … SET NOT NULL without a validated CHECK (col IS NOT NULL) in this or an earlier migration (or any SET NOT NULL before PostgreSQL 12)',
  instead:
    'ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID; VALIDATE it in the next migration; then SET NOT NULL',
  check(context) {
    return setNotNullVerdicts(context)
      .filter((verdict) => verdict.check !== 'validated' || context.postgresVersion < 12)
      .map((verdict) =>
        hit(verdict.section, verdict.statement, message(verdict), setNotNullFix(verdict.change)),
      );
  },
};

function message({ change, check }: SetNotNullVerdict): string {
  const column = `${change.table}.${change.columnName}`;
  if (check === undefined)
    return `SET NOT NULL on ${column} scans every row of ${change.table} while holding ACCESS EXCLUSIVE, blocking reads and writes for the whole scan. PostgreSQL skips the scan when a validated CHECK (${change.columnName} IS NOT NULL) already exists, and that check can be validated without blocking traffic.`;
  if (check === 'not_valid')
    return `SET NOT NULL on ${column}: the CHECK (${change.columnName} IS NOT NULL) is still NOT VALID, so PostgreSQL cannot trust it and scans every row under ACCESS EXCLUSIVE anyway. VALIDATE CONSTRAINT in an earlier migration first.`;
  return `SET NOT NULL on ${column}: before PostgreSQL 12 a validated CHECK does not spare the full scan under ACCESS EXCLUSIVE. Keep the CHECK constraint instead of NOT NULL on this server.`;
}
