import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';
import { addsCheckedConstraint } from './inline-constraints.ts';

export const addingForeignKeyConstraint: LintRule = {
  id: 'adding-foreign-key-constraint',
  severity: 'error',
  parity: 'squawk',
  catches:
    'a FOREIGN KEY added to an existing table without NOT VALID (ADD CONSTRAINT … FOREIGN KEY, or ADD COLUMN … REFERENCES)',
  instead: 'ADD CONSTRAINT … FOREIGN KEY … NOT VALID, then VALIDATE CONSTRAINT in a later migration',
  check(context) {
    return eachChange(context, (change, statement, section, index) => {
      if (!addsCheckedConstraint(change, 'foreign_key') || section.isNewTable(change.table, index)) return;
      const references = change.constraint?.references ?? change.column?.references;
      const name = change.constraint?.name ?? '<name>';
      return hit(
        section,
        statement,
        `Adding a validated foreign key from ${change.table} to ${references} scans all of ${change.table} while holding SHARE ROW EXCLUSIVE locks on both tables, blocking their writes until the scan ends. Add it NOT VALID (instant; new rows are checked at once) and VALIDATE it in a separate migration, which only takes SHARE UPDATE EXCLUSIVE.`,
        `ALTER TABLE ${change.table} ADD CONSTRAINT ${name} FOREIGN KEY (…) REFERENCES ${references} (…) NOT VALID; -- next migration: ALTER TABLE ${change.table} VALIDATE CONSTRAINT ${name};`,
      );
    });
  },
};
