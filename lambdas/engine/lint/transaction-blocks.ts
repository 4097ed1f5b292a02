// Which statements of a section run inside a transaction block. A section stepmigrate runs in
// a transaction starts inside one; a `transaction:false` section starts outside, and an explicit
// BEGIN … COMMIT in it opens and closes one, exactly as PostgreSQL sees it. Rules that depend on
// "is this statement in a transaction?" (CREATE INDEX CONCURRENTLY, re-runnable statements,
// NOT VALID + VALIDATE) ask this, not the section's flag.
import type { ClassifiedStatement } from '../sql/change.ts';

const OPENS = new Set(['BEGIN', 'START']);
const CLOSES = new Set(['COMMIT', 'ROLLBACK', 'PREPARE']);

export type TransactionCommand = 'opens' | 'closes';

/** Whether `statement` opens or closes a transaction block, if it is transaction control at all. */
export function transactionCommand(statement: ClassifiedStatement): TransactionCommand | undefined {
  for (const change of statement.changes) {
    if (change.kind !== 'transaction_control') continue;
    if (OPENS.has(change.transactionCommand ?? '')) return 'opens';
    if (CLOSES.has(change.transactionCommand ?? '')) return 'closes';
  }
  return undefined;
}

/**
 * For each statement: the number of the transaction block it runs in, or -1 outside any. Two
 * statements with the same number share one transaction: what the first creates is invisible
 * to other sessions until the block commits.
 */
export function transactionBlocks(startsInTransaction: boolean, statements: ClassifiedStatement[]): number[] {
  let block = startsInTransaction ? 0 : -1;
  let next = 1;
  return statements.map((statement) => {
    const command = transactionCommand(statement);
    // BEGIN itself runs outside the block it opens; COMMIT runs inside the block it closes.
    const current = block;
    if (command === 'opens' && block === -1) block = next++;
    if (command === 'closes') block = -1;
    return current;
  });
}
