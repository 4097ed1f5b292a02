// Transactions as callback scopes, so one can never be left open on a connection.
import type { SqlConnection } from '../ports.ts';

/**
 * How a transaction ends: COMMIT, ROLLBACK (a dry run), or the last statements computed from
 * `fn`'s result and sent with COMMIT in one round trip (`INSERT …;\nCOMMIT`).
 */
export type TransactionEnd<T> = 'COMMIT' | 'ROLLBACK' | ((result: T) => string);

/**
 * Runs `fn` between `begin` and `end`; ROLLBACK (and rethrow) when anything fails. `begin` may
 * carry statements after BEGIN (the same round trip), or be a function that sends BEGIN with
 * its own first statements; a failure in them is rolled back too.
 */
export async function withTransaction<T>(
  connection: SqlConnection,
  begin: string | (() => Promise<unknown>),
  fn: () => Promise<T>,
  end: TransactionEnd<T> = 'COMMIT',
): Promise<T> {
  // Each part rolls back when it fails, even by throwing before it sends anything (the last
  // statements computed from the result).
  const rolledBackOnFailure = async <R>(part: () => Promise<R>): Promise<R> => {
    try {
      return await part();
    } catch (error) {
      // Without an open transaction (a failed COMMIT has ended it) this is only a warning.
      await connection.query('ROLLBACK').catch(() => {});
      throw error;
    }
  };
  await rolledBackOnFailure(() => (typeof begin === 'string' ? connection.query(begin) : begin()));
  const result = await rolledBackOnFailure(fn);
  await rolledBackOnFailure(() => connection.query(typeof end === 'function' ? end(result) : end));
  return result;
}
