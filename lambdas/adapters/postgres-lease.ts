// The run lease kept in the target database itself (`<history schema>.lease`), for runners
// that have no DynamoDB: the local runner and the CLI. A conditional upsert takes it only
// when it is free, expired, or already ours; each take records who holds it (host, pid,
// process start), so the engine can tell a dead holder from a live one.
import { LockedError } from '../engine/errors.ts';
import { LEASE_TABLE } from '../engine/history.ts';
import { quoteIdent, quoteLiteralAnyMode } from '../engine/sql/identifiers.ts';
import type { Database, Lease, LeaseHolder, SqlConnection } from '../ports.ts';

const UNDEFINED_TABLE = '42P01';
/** A lease table made before leases named their holder. */
const UNDEFINED_COLUMN = '42703';

function historyIncomplete(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === UNDEFINED_TABLE || code === UNDEFINED_COLUMN;
}

/** What a local runner records about itself beside the execution id. */
export type HolderProcess = Pick<LeaseHolder, 'host' | 'pid' | 'processStart' | 'pidNamespace'>;

export interface PostgresLeaseOptions {
  /** This process, recorded with every lease it takes. @default nothing (expiry alone frees it) */
  holder?: HolderProcess;
}

interface LeaseRow {
  owner: string;
  expires_at: Date;
  holder: HolderProcess | null;
}

export class PostgresLease implements Lease {
  private readonly table: string;
  private readonly process: HolderProcess | null;

  constructor(
    private readonly db: Database,
    schema: string,
    options: PostgresLeaseOptions = {},
  ) {
    this.table = `${quoteIdent(schema)}.${quoteIdent(LEASE_TABLE)}`;
    this.process = options.holder ?? null;
  }

  async acquire(key: string, owner: string, ttlMs: number): Promise<void> {
    await this.db.withConnection(async (conn) => {
      // The engine creates the history schema (and this table) before it takes a lease.
      const taken = await this.take(conn, key, owner, ttlMs);
      if (taken) return;
      const holder = await this.read(conn, key);
      throw new LockedError(
        `database ${key} is being migrated by ${holder?.owner ?? 'another run'}` +
          `${holder ? ` (lease held until ${holder.expiresAt})` : ''}`,
      );
    });
  }

  /** One conditional upsert: true when the lease is now ours (it was free, expired, or ours already). */
  private async take(conn: SqlConnection, key: string, owner: string, ttlMs: number): Promise<boolean> {
    const taken = await conn.query(this.upsert('$1', '$2', '$3', '$4'), [
      key,
      owner,
      ttlMs,
      JSON.stringify(this.process),
    ]);
    return taken.rowCount > 0;
  }

  /** The same upsert with its values as literals, for a step's single round trip (Lease port). */
  renewalStatement(key: string, owner: string, ttlMs: number): string {
    if (!Number.isFinite(ttlMs) || ttlMs < 0)
      throw new RangeError(`lease ttl must be a positive number, got ${ttlMs}`);
    return this.upsert(
      quoteLiteralAnyMode(key),
      quoteLiteralAnyMode(owner),
      String(Math.round(ttlMs)),
      quoteLiteralAnyMode(JSON.stringify(this.process)),
    );
  }

  private upsert(key: string, owner: string, ttlMs: string, holder: string): string {
    return `INSERT INTO ${this.table} AS l (key, owner, expires_at, holder)
       VALUES (${key}, ${owner}, now() + ${ttlMs} * interval '1 millisecond', ${holder}::jsonb)
       ON CONFLICT (key) DO UPDATE
        SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at, holder = EXCLUDED.holder
        WHERE l.owner = EXCLUDED.owner OR l.expires_at < now()
       RETURNING owner`;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.db.withConnection(async (conn) => {
      await conn.query(`DELETE FROM ${this.table} WHERE key = $1 AND owner = $2`, [key, owner]);
    });
  }

  async holder(key: string): Promise<LeaseHolder | undefined> {
    return this.db.withConnection((conn) =>
      this.read(conn, key).catch((error: unknown) => {
        // No history schema yet: nobody has ever held a lease here.
        if (historyIncomplete(error)) return undefined;
        throw error;
      }),
    );
  }

  async takeOver(key: string, from: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.db.withConnection(async (conn) => {
      const taken = await conn.query(
        `UPDATE ${this.table}
            SET owner = $3, expires_at = now() + $4 * interval '1 millisecond', holder = $5::jsonb
          WHERE key = $1 AND owner = $2
          RETURNING owner`,
        [key, from, owner, ttlMs, JSON.stringify(this.process)],
      );
      return taken.rowCount > 0;
    });
  }

  private async read(conn: SqlConnection, key: string): Promise<LeaseHolder | undefined> {
    const { rows } = await conn.query<LeaseRow>(
      `SELECT owner, expires_at, holder FROM ${this.table} WHERE key = $1`,
      [key],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { owner: row.owner, expiresAt: new Date(row.expires_at).toISOString(), ...(row.holder ?? {}) };
  }
}
