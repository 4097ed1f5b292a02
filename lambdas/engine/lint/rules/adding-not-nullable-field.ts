import type { LintRule } from '../rule.ts';
import { hit } from '../rule.ts';
import { setNotNullFix, setNotNullVerdicts } from './set-not-null.ts';

export const addingNotNullableField: LintRule = {
  id: 'adding-not-nullable-field',
  severity: 'error',
  catches:
    'ALTER COLUMN … SET NOT NULL whose CHECK (col IS NOT NULL) is not validated yet (or any SET NOT NULL before PostgreSQL 12)',
  instead: 'VALIDATE CONSTRAINT the check in an earlier migration, then SET NOT NULL',
  check(context) {
    return setNotNullVerdicts(context)
      .filter(
        (verdict) =>
          verdict.check === 'not_valid' || (verdict.check === 'validated' && context.postgresVersion < 12),
      )
      .map(({ section, statement, change, check }) =>
        hit(
          section,
          statement,
          check === 'not_valid'
            ? `SET NOT NULL on ${change.table}.${change.columnName}: the CHECK (${change.columnName} IS NOT NULL) is still NOT VALID, so PostgreSQL cannot trust it and scans every row under ACCESS EXCLUSIVE anyway. VALIDATE CONSTRAINT in an earlier migration first.`
            : `SET NOT NULL on ${change.table}.${change.columnName}: before PostgreSQL 12 a validated CHECK does not spare the full scan under ACCESS EXCLUSIVE. Keep the CHECK constraint instead of NOT NULL on this server.`,
          setNotNullFix(change),
        ),
      );
  },
};
