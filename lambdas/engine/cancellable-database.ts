// A Database that knows which of its connections are busy, so a step about to run out of
// time can cancel their statements from a second connection (pg_cancel_backend). A
// cancelled statement fails with an error the engine handles like any other: the
// transaction rolls back, or a non-transactional section is left marked dirty. A process
// killed at its deadline would leave neither.
import type { Database, SqlConnection } from '../ports.ts';

export class CancellableDatabase implements Database {
  readonly name: string;
  private readonly busy = new Set<number>();

  constructor(private readonly inner: Database) {
    this.name = inner.name;
  }

  async withConnection<T>(fn: (connection: SqlConnection) => Promise<T>): Promise<T> {
    return this.inner.withConnection(async (connection) => {
      const pid = connection.processId;
      this.busy.add(pid);
      try {
        return await fn(connection);
      } finally {
        this.busy.delete(pid);
      }
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Cancels whatever each open connection is running; returns the server pids it signalled. */
  async cancelRunning(): Promise<number[]> {
    const pids = [...this.busy];
    if (pids.length === 0) return [];
    await this.inner.withConnection((admin) =>
      admin.query('SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid', [pids]),
    );
    return pids;
  }
}

/** The running statements of `db` cancelled, when it can do that; otherwise nothing. */
export function cancelRunningStatements(db: Database): Promise<number[]> {
  return db instanceof CancellableDatabase ? db.cancelRunning() : Promise.resolve([]);
}
