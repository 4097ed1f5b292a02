import type { LintRule } from '../rule.ts';
import { hit } from '../rule.ts';
import { setNotNullFix, setNotNullVerdicts } from './set-not-null.ts';

export const setNotNullWithoutCheck: LintRule = {
  id: 'set-not-null-without-check',
  severity: 'error',
  catches: 'ALTER COLUMN … SET NOT NULL with no CHECK (col IS NOT NULL) in this or an earlier migration',
  instead:
    'ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID; VALIDATE it in the next migration; then SET NOT NULL',
  check(context) {
    return setNotNullVerdicts(context)
      .filter((verdict) => verdict.check === undefined)
      .map(({ section, statement, change }) =>
        hit(
          section,
          statement,
          `SET NOT NULL on ${change.table}.${change.columnName} scans every row of ${change.table} while holding ACCESS EXCLUSIVE, blocking reads and writes for the whole scan. PostgreSQL skips the scan when a validated CHECK (${change.columnName} IS NOT NULL) already exists, and that check can be validated without blocking traffic.`,
          setNotNullFix(change),
        ),
      );
  },
};
