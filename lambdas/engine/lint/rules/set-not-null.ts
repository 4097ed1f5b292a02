// Shared by the two SET NOT NULL rules: walks earlier migrations' and this migration's
// statements in order, and judges each SET NOT NULL by the CHECK (col IS NOT NULL) in force.
import type { Change, ClassifiedStatement } from '../../sql/change.ts';
import type { LintContext, LintSection } from '../context.ts';
import type { NotNullCheckState } from '../not-null-checks.ts';

export interface SetNotNullVerdict {
  section: LintSection;
  statement: ClassifiedStatement;
  change: Change;
  check: NotNullCheckState | undefined;
}

export function setNotNullVerdicts(context: LintContext): SetNotNullVerdict[] {
  const checks = context.notNullChecksBefore.clone();
  const verdicts: SetNotNullVerdict[] = [];
  for (const section of context.sections) {
    section.statements.forEach((statement, index) => {
      for (const change of statement.changes) {
        if (change.kind !== 'set_not_null' || section.isNewTable(change.table, index)) continue;
        if (section.name === 'down' && context.createdByUp.tables.has(change.table ?? '')) continue;
        verdicts.push({
          section,
          statement,
          change,
          check: checks.state(change.table ?? '', change.columnName ?? ''),
        });
      }
      checks.apply(statement);
    });
  }
  return verdicts;
}

export function setNotNullFix(change: Change): string {
  const name = `${change.columnName}_not_null`;
  return `ALTER TABLE ${change.table} ADD CONSTRAINT ${name} CHECK (${change.columnName} IS NOT NULL) NOT VALID; -- next migration: ALTER TABLE ${change.table} VALIDATE CONSTRAINT ${name}; ALTER TABLE ${change.table} ALTER COLUMN ${change.columnName} SET NOT NULL; ALTER TABLE ${change.table} DROP CONSTRAINT ${name};`;
}
