import type { ClassifiedStatement } from '../../sql/change.ts';
import type { LintRule } from '../rule.ts';
import { hit } from '../rule.ts';
import { transactionCommand } from '../transaction-blocks.ts';

/** Two-phase commit ends a prepared transaction; PostgreSQL refuses it inside a block. */
const TWO_PHASE = new Set(['COMMIT PREPARED', 'ROLLBACK PREPARED']);

function isTwoPhase(statement: ClassifiedStatement): boolean {
  return statement.changes.some((change) => TWO_PHASE.has(change.transactionCommand ?? ''));
}

export const transactionNesting: LintRule = {
  id: 'transaction-nesting',
  severity: 'error',
  parity: 'squawk',
  catches:
    'BEGIN / COMMIT / ROLLBACK inside a section stepmigrate already runs in a transaction; in a `transaction:false` section, a BEGIN inside an open BEGIN, or a COMMIT / ROLLBACK with no BEGIN',
  instead: 'remove them; use `transaction:false` when the statements must run outside a transaction',
  check(context) {
    return context.sections.flatMap((section) =>
      section.statements.flatMap((statement, index) => {
        const command = transactionCommand(statement);
        if (command === undefined && !(section.transaction && isTwoPhase(statement))) return [];
        const inTransaction = section.inTransaction(index);
        if (section.transaction) {
          return [
            hit(
              section,
              statement,
              `"${statement.sql}" inside the ${section.name} section: stepmigrate runs this section and its schema_history record in one transaction, so a COMMIT here makes part of the migration permanent before the rest runs, and a failure afterwards can no longer be rolled back. Remove it; mark the section transaction:false if its statements must run on their own.`,
              `remove "${statement.sql}"`,
            ),
          ];
        }
        if (command === 'opens' && inTransaction)
          return [
            hit(
              section,
              statement,
              `"${statement.sql}" while a transaction is already open: PostgreSQL ignores it with a warning, so the COMMIT you meant for the inner block commits the outer one too. Remove the inner BEGIN.`,
              `remove "${statement.sql}"`,
            ),
          ];
        if (command === 'closes' && !inTransaction)
          return [
            hit(
              section,
              statement,
              `"${statement.sql}" with no open transaction: the statements before it have already been committed one by one, so it undoes or commits nothing. Open the block with BEGIN, or remove it.`,
              `remove "${statement.sql}", or add BEGIN before the statements it should cover`,
            ),
          ];
        return [];
      }),
    );
  },
};
