import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

const ENDS_OR_STARTS_TRANSACTION = new Set([
  'BEGIN',
  'START',
  'COMMIT',
  'ROLLBACK',
  'PREPARE',
  'COMMIT PREPARED',
  'ROLLBACK PREPARED',
]);

export const transactionNesting: LintRule = {
  id: 'transaction-nesting',
  severity: 'error',
  catches: 'BEGIN / COMMIT / ROLLBACK inside a section stepmigrate already runs in a transaction',
  instead: 'remove them; use `transaction:false` when the statements must run outside a transaction',
  check(context) {
    return eachChange(context, (change, statement, section) => {
      if (change.kind !== 'transaction_control' || !section.transaction) return;
      if (!ENDS_OR_STARTS_TRANSACTION.has(change.transactionCommand ?? '')) return;
      return hit(
        section,
        statement,
        `${change.transactionCommand} inside the ${section.name} section: stepmigrate runs this section and its schema_history record in one transaction, so a COMMIT here makes part of the migration permanent before the rest runs, and a failure afterwards can no longer be rolled back. Remove it; mark the section transaction:false if its statements must run on their own.`,
        `remove "${statement.sql}"`,
      );
    });
  },
};
