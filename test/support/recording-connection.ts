// A SqlConnection that records what it is sent, for tests that count round trips or check
// which statements went together.
import type { SqlConnection } from '../../lambdas/ports.ts';

/**
 * `conn`, pushing every statement it is sent onto `sent` (a batch as its statements) and
 * telling `onSend` which method sent it, before it goes out.
 */
export function recordingConnection(
  conn: SqlConnection,
  sent: string[],
  onSend: (method: 'query' | 'queryEach') => void = () => undefined,
): SqlConnection {
  return {
    get processId() {
      return conn.processId;
    },
    query: (sql, params) => {
      onSend('query');
      sent.push(sql);
      return conn.query(sql, params);
    },
    queryEach: (statements) => {
      onSend('queryEach');
      sent.push(...statements);
      return conn.queryEach(statements);
    },
    copyTo: (sql) => conn.copyTo(sql),
    copyFrom: (sql) => conn.copyFrom(sql),
  };
}
