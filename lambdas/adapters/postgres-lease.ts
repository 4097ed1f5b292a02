// The run lease kept in the target database itself (`<history schema>.lease`), for runners
// that have no DynamoDB: the local runner and the CLI. A conditional upsert takes it only
// when it is free, expired, or already ours, so a crashed run's lease can be reclaimed.
import { LockedError } from '../engine/errors.ts';
import { LEASE_TABLE } from '../engine/history.ts';
import { quoteIdent } from '../engine/sql/identifiers.ts';
import type { Database, Lease, SqlConnection } from '../ports.ts';

export class PostgresLease implements Lease {
  private readonly table: string;

  constructor(
    private readonly db: Database,
    schema: string,
  ) {
    this.table = `${quoteIdent(schema)}.${quoteIdent(LEASE_TABLE)}`;
  }

  async acquire(key: string, owner: string, ttlMs: number): Promise<void> {
    await this.db.withConnection(async (conn) => {
      // The engine creates the history schema (and this table) before it takes a lease.
      const taken = await this.take(conn, key, owner, ttlMs);
      if (taken) return;
      const { rows } = await conn.query<{ owner: string; expires_at: Date }>(
        `SELECT owner, expires_at FROM ${this.table} WHERE key = $1`,
        [key],
      );
      const holder = rows[0];
      throw new LockedError(
        `database ${key} is being migrated by ${holder?.owner ?? 'another run'}` +
          `${holder ? ` (lease held until ${new Date(holder.expires_at).toISOString()})` : ''}; ` +
          'wait for it to finish, or if that run crashed, run `stepmigrate repair --release-lease`',
      );
    });
  }

  /** One conditional upsert: true when the lease is now ours (it was free, expired, or ours already). */
  private async take(conn: SqlConnection, key: string, owner: string, ttlMs: number): Promise<boolean> {
    const taken = await conn.query(
      `INSERT INTO ${this.table} AS l (key, owner, expires_at)
       VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
        WHERE l.owner = EXCLUDED.owner OR l.expires_at < now()
       RETURNING owner`,
      [key, owner, ttlMs],
    );
    return taken.rowCount > 0;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.db.withConnection(async (conn) => {
      await conn.query(`DELETE FROM ${this.table} WHERE key = $1 AND owner = $2`, [key, owner]);
    });
  }
}
