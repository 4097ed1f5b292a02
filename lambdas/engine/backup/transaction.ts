// Transactions as callback scopes, so one can never be left open on a connection.
import type { SqlConnection } from '../../ports.ts';

/** Runs `fn` between `begin` and COMMIT; ROLLBACK (and rethrow) when it throws. */
export async function withTransaction<T>(
  connection: SqlConnection,
  begin: string,
  fn: () => Promise<T>,
): Promise<T> {
  await connection.query(begin);
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => {});
    throw error;
  }
  await connection.query('COMMIT');
  return result;
}
