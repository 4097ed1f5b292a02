// A Database port that kills its own connections on cue: when a statement matching a fault
// is sent, the backend serving it is terminated (pg_terminate_backend from a second
// connection), either before the statement starts or while it runs. This is what a network
// cut, a failover or an operator's kill looks like to the engine.
import type { Readable, Writable } from 'node:stream';
import type { Database, QueryResult, SqlConnection } from '../../lambdas/ports.ts';

export interface ConnectionFault {
  /** Which statement to kill: matched against the SQL text (COPY statements included). */
  match: (sql: string) => boolean;
  /** Kill this long after the statement was sent; undefined: kill first, then send it. */
  afterMs?: number;
  /** Matching statements to let through before the one that is killed. @default 0 */
  skip?: number;
}

interface ArmedFault extends ConnectionFault {
  seen: number;
  fired: boolean;
}

export class FaultyDatabase implements Database {
  readonly name: string;
  /** The statements that were killed, in order. */
  readonly killed: string[] = [];
  private readonly faults: ArmedFault[];

  constructor(
    private readonly inner: Database,
    faults: readonly ConnectionFault[] = [],
  ) {
    this.name = inner.name;
    this.faults = faults.map((fault) => ({ ...fault, seen: 0, fired: false }));
  }

  withConnection<T>(fn: (connection: SqlConnection) => Promise<T>): Promise<T> {
    return this.inner.withConnection((conn) => fn(this.wrap(conn)));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private due(sql: string): ArmedFault | undefined {
    for (const fault of this.faults) {
      if (fault.fired || !fault.match(sql)) continue;
      if (fault.seen++ < (fault.skip ?? 0)) continue;
      fault.fired = true;
      this.killed.push(sql.slice(0, 120));
      return fault;
    }
    return undefined;
  }

  private terminate(pid: number, afterMs: number): Promise<void> {
    return new Promise<void>((resolve) => setTimeout(resolve, afterMs)).then(() =>
      this.inner
        .withConnection((admin) => admin.query('SELECT pg_terminate_backend($1)', [pid]))
        .then(() => undefined),
    );
  }

  private dueIn(statements: readonly string[]): ArmedFault | undefined {
    for (const sql of statements) {
      const fault = this.due(sql);
      if (fault) return fault;
    }
    return undefined;
  }

  /** Sends with the backend killed as `fault` says: first, then sent; or `afterMs` into it. */
  private async sendUnder<R>(conn: SqlConnection, fault: ArmedFault | undefined, send: () => Promise<R>) {
    if (!fault) return send();
    if (fault.afterMs === undefined) {
      await this.terminate(conn.processId, 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return send();
    }
    const killing = this.terminate(conn.processId, fault.afterMs);
    try {
      return await send();
    } finally {
      await killing.catch(() => undefined);
    }
  }

  private wrap(conn: SqlConnection): SqlConnection {
    return {
      query: <Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> =>
        this.sendUnder(conn, this.due(sql), () => conn.query<Row>(sql, params)),
      // A batch is killed when one of its statements matches, the way one statement is: the
      // first that does, so one kill is one fault.
      queryEach: (statements: readonly string[]) =>
        this.sendUnder(conn, this.dueIn(statements), () => conn.queryEach(statements)),
      copyTo: (sql: string): Readable => {
        const fault = this.due(sql);
        if (fault) void this.terminate(conn.processId, fault.afterMs ?? 0).catch(() => undefined);
        return conn.copyTo(sql);
      },
      copyFrom: (sql: string): Writable => conn.copyFrom(sql),
      get processId() {
        return conn.processId;
      },
    };
  }
}
