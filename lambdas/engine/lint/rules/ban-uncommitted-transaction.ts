import type { LintRule } from '../rule.ts';
import { hit } from '../rule.ts';
import { transactionCommand } from '../transaction-blocks.ts';

export const banUncommittedTransaction: LintRule = {
  id: 'ban-uncommitted-transaction',
  severity: 'error',
  parity: 'squawk',
  catches: 'a BEGIN with no COMMIT or ROLLBACK after it in the same section',
  instead: 'end the block with COMMIT (or remove the BEGIN)',
  check(context) {
    return context.sections.flatMap((section) => {
      let open: number | undefined;
      section.statements.forEach((statement, index) => {
        const command = transactionCommand(statement);
        if (command === 'opens') open ??= index;
        if (command === 'closes') open = undefined;
      });
      const statement = open === undefined ? undefined : section.statements[open];
      if (statement === undefined) return [];
      return [
        hit(
          section,
          statement,
          `"${statement.sql}" opens a transaction that the ${section.name} section never commits: what follows it is rolled back when the connection closes, or committed by whatever runs next on the connection. End the block with COMMIT.`,
          'COMMIT;  -- at the end of the block',
        ),
      ];
    });
  },
};
