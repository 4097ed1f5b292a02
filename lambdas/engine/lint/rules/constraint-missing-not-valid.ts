import type { Change, ClassifiedStatement } from '../../sql/change.ts';
import type { LintSection } from '../context.ts';
import type { LintRule, RuleHit } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const constraintMissingNotValid: LintRule = {
  id: 'constraint-missing-not-valid',
  severity: 'error',
  catches:
    'ADD CONSTRAINT … CHECK on an existing table without NOT VALID, or a NOT VALID constraint validated in the same transaction',
  instead: 'ADD CONSTRAINT … NOT VALID in one migration, VALIDATE CONSTRAINT in the next',
  check(context) {
    const hits = eachChange(context, (change, statement, section, index) => {
      if (change.kind !== 'add_constraint' || change.constraint?.type !== 'check') return;
      if (change.constraint.notValid || section.isNewTable(change.table, index)) return;
      const name = change.constraint.name ?? '<name>';
      return hit(
        section,
        statement,
        `Adding CHECK constraint ${name} to ${change.table} scans every row while holding ACCESS EXCLUSIVE, blocking reads and writes until it finishes. Add it NOT VALID (instant; new rows are checked at once) and VALIDATE it in a later migration under a lock that lets traffic through.`,
        `ALTER TABLE ${change.table} ADD CONSTRAINT ${name} CHECK (…) NOT VALID; -- next migration: ALTER TABLE ${change.table} VALIDATE CONSTRAINT ${name};`,
      );
    });
    for (const section of context.sections) hits.push(...validatedInSameTransaction(section));
    return hits;
  },
};

function validatedInSameTransaction(section: LintSection): RuleHit[] {
  if (!section.transaction) return [];
  const addedNotValid = new Set<string>();
  const hits: RuleHit[] = [];
  section.statements.forEach((statement: ClassifiedStatement, index) => {
    for (const change of statement.changes) {
      const key = constraintKey(change);
      if (key === undefined) continue;
      if (
        change.kind === 'add_constraint' &&
        change.constraint?.notValid &&
        !section.isNewTable(change.table, index)
      ) {
        addedNotValid.add(key);
      }
      if (change.kind === 'validate_constraint' && addedNotValid.has(key)) {
        hits.push(
          hit(
            section,
            statement,
            `${change.constraintName} is added NOT VALID and validated in the same transaction, so the strong lock taken by ADD CONSTRAINT is still held during the whole validation scan of ${change.table} — NOT VALID gains nothing. Validate it in a separate migration.`,
            `-- next migration: ALTER TABLE ${change.table} VALIDATE CONSTRAINT ${change.constraintName};`,
          ),
        );
      }
    }
  });
  return hits;
}

function constraintKey(change: Change): string | undefined {
  const name = change.kind === 'add_constraint' ? change.constraint?.name : change.constraintName;
  return name === undefined || change.table === undefined ? undefined : `${change.table}/${name}`;
}
