import type { Change, ClassifiedStatement, ConstraintInfo } from '../../sql/change.ts';
import type { LintSection } from '../context.ts';
import type { LintRule, RuleHit } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const constraintMissingNotValid: LintRule = {
  id: 'constraint-missing-not-valid',
  severity: 'error',
  parity: 'squawk',
  catches:
    'ADD CONSTRAINT (CHECK, FOREIGN KEY, PRIMARY KEY, UNIQUE, EXCLUDE) on an existing table that checks every row at once (no NOT VALID, no USING INDEX), or a NOT VALID constraint validated in the same transaction',
  instead:
    'ADD CONSTRAINT … NOT VALID in one migration, VALIDATE CONSTRAINT in the next; for PRIMARY KEY / UNIQUE, CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … USING INDEX',
  check(context) {
    const hits = eachChange(context, (change, statement, section, index) => {
      const constraint = change.constraint;
      if (change.kind !== 'add_constraint' || constraint === undefined) return;
      if (constraint.notValid || constraint.usingIndex) return;
      if (section.isNewTable(change.table, index)) return;
      return hit(section, statement, ...advice(change.table ?? '?', constraint));
    });
    for (const section of context.sections) hits.push(...validatedInSameTransaction(section));
    return hits;
  },
};

function advice(table: string, constraint: ConstraintInfo): [string, string] {
  const name = constraint.name ?? '<name>';
  if (constraint.type === 'primary_key' || constraint.type === 'unique') {
    const what = constraint.type === 'primary_key' ? 'PRIMARY KEY' : 'UNIQUE';
    return [
      `Adding ${what} constraint ${name} to ${table} builds its unique index and checks every row while holding ACCESS EXCLUSIVE, blocking reads and writes until it finishes; PostgreSQL has no NOT VALID for it. Build the index CONCURRENTLY first, then attach it with USING INDEX.`,
      `CREATE UNIQUE INDEX CONCURRENTLY ${name}_idx ON ${table} (…); -- next migration: ALTER TABLE ${table} ADD CONSTRAINT ${name} ${what} USING INDEX ${name}_idx;`,
    ];
  }
  const kind = constraint.type === 'foreign_key' ? 'FOREIGN KEY' : constraint.type.toUpperCase();
  return [
    `Adding ${kind} constraint ${name} to ${table} scans every row while holding its lock, blocking writes (and for CHECK, reads) until the scan finishes. Add it NOT VALID (instant; new rows are checked at once) and VALIDATE it in a later migration under a lock that lets traffic through.`,
    `ALTER TABLE ${table} ADD CONSTRAINT ${name} … NOT VALID; -- next migration: ALTER TABLE ${table} VALIDATE CONSTRAINT ${name};`,
  ];
}

/** NOT VALID then VALIDATE in one transaction block: the ADD's strong lock is held through the scan. */
function validatedInSameTransaction(section: LintSection): RuleHit[] {
  const addedNotValid = new Map<string, number>();
  const hits: RuleHit[] = [];
  let block = 0;
  section.statements.forEach((statement: ClassifiedStatement, index) => {
    if (!section.inTransaction(index)) {
      addedNotValid.clear();
      block++;
      return;
    }
    for (const change of statement.changes) {
      const key = constraintKey(change);
      if (key === undefined) continue;
      if (
        change.kind === 'add_constraint' &&
        change.constraint?.notValid &&
        !section.isNewTable(change.table, index)
      )
        addedNotValid.set(key, block);
      if (change.kind === 'validate_constraint' && addedNotValid.get(key) === block) {
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
