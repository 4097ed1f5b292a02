// Transactions as callback scopes, so one can never be left open on a connection.
import type { SqlConnection } from '../ports.ts';

/** Runs `fn` between `begin` and `end` (COMMIT, or ROLLBACK for a dry run); ROLLBACK (and rethrow) when it throws. */
export async function withTransaction<T>(
  connection: SqlConnection,
  begin: string,
  fn: () => Promise<T>,
  end: 'COMMIT' | 'ROLLBACK' = 'COMMIT',
): Promise<T> {
  await connection.query(begin);
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => {});
    throw error;
  }
  await connection.query(end);
  return result;
}
