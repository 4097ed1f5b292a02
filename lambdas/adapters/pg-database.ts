// The Database port over node-postgres. Every withConnection() gets its own pg.Client:
// migrations set session state (lock_timeout, advisory locks) that must never leak into
// another caller, and a backend killed mid-statement must only fail the call that used it.
import type { Readable, Writable } from 'node:stream';
import pg from 'pg';
import { from as copyFromStdin, to as copyToStdout } from 'pg-copy-streams';
import { PreflightError } from '../engine/errors.ts';
import type { Database, QueryResult, SqlConnection } from '../ports.ts';

/** The URL with its password replaced by `***`, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of ['password', 'sslpassword'])
      if (parsed.searchParams.has(key)) parsed.searchParams.set(key, '***');
    return parsed.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@').replace(/(password=)[^&\s]*/gi, '$1***');
  }
}

interface Target {
  host: string;
  port: number;
  database: string;
  user: string;
  /** Where the connection settings came from, for the fix: "--database-url / DATABASE_URL". */
  source: string;
}

export interface PgDatabaseOptions {
  /** Names where the connection settings come from, in error messages. @default '--database-url / DATABASE_URL' */
  source?: string;
}

function describeTarget(connectionString: string, config: pg.ClientConfig, source: string): Target {
  let parsed: URL | undefined;
  try {
    parsed = new URL(connectionString);
  } catch {
    parsed = undefined;
  }
  const user = config.user ?? (parsed?.username ? decodeURIComponent(parsed.username) : 'postgres');
  const pathDb = parsed?.pathname ? decodeURIComponent(parsed.pathname.slice(1)) : '';
  return {
    host: config.host ?? (parsed?.hostname || 'localhost'),
    port: Number(config.port ?? (parsed?.port || 5432)),
    database: config.database ?? (pathDb || user),
    user,
    source,
  };
}

const fixByCode: Record<string, (t: Target) => string> = {
  ECONNREFUSED: (t) =>
    `connection refused — is PostgreSQL running and listening on ${t.host}:${t.port}? Check ${t.source}`,
  ENOTFOUND: (t) => `host "${t.host}" not found — check the host name in ${t.source}`,
  EAI_AGAIN: (t) => `host "${t.host}" could not be resolved — check the host name and your DNS`,
  ETIMEDOUT: () => 'connection timed out — check the host, port, firewall or security group',
  EHOSTUNREACH: () => 'host unreachable — check the host, VPC routing or security group',
  ENETUNREACH: () => 'network unreachable — check the host, VPC routing or security group',
  ECONNRESET: () => 'the server closed the connection — check whether it requires SSL (add ?sslmode=require)',
  '28P01': (t) => `password authentication failed for user "${t.user}" — check the password in ${t.source}`,
  '28000': (t) => `the server refused user "${t.user}" (pg_hba.conf) — allow it, or connect as another user`,
  '3D000': (t) =>
    `database "${t.database}" does not exist — create it (CREATE DATABASE ${t.database}) or fix the database name in ${t.source}`,
  '57P03': () => 'the server is starting up or shutting down — try again in a moment',
};

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string') return code;
  // pg's connection timeout is a plain Error with no code.
  if (error instanceof Error && /timeout/i.test(error.message)) return 'ETIMEDOUT';
  return undefined;
}

/** A connection failure as one line naming host:port/database and the fix; never the password. */
function connectionFailure(error: unknown, target: Target): PreflightError {
  const code = errorCode(error);
  const where = `${target.host}:${target.port}/${target.database}`;
  const fix = code ? fixByCode[code] : undefined;
  const detail = fix ? fix(target) : `${(error as Error)?.message ?? String(error)}`;
  return new PreflightError(`cannot connect to PostgreSQL at ${where}: ${detail}`, { cause: error });
}

class PgConnection implements SqlConnection {
  constructor(private readonly client: pg.Client) {}

  get processId(): number {
    return (this.client as unknown as { processID: number }).processID;
  }

  async query<Row = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<Row>> {
    const result = await this.client.query(sql, params as unknown[] | undefined);
    // A multi-statement simple query returns one result per statement; the last one matters.
    const last = Array.isArray(result) ? result.at(-1) : result;
    return { rows: (last?.rows ?? []) as Row[], rowCount: last?.rowCount ?? 0 };
  }

  copyTo(sql: string): Readable {
    return this.client.query(copyToStdout(sql));
  }

  copyFrom(sql: string): Writable {
    return this.client.query(copyFromStdin(sql));
  }
}

export class PgDatabase implements Database {
  readonly name: string;
  private readonly target: Target;
  private readonly open = new Set<pg.Client>();

  constructor(
    private readonly connectionString: string,
    private readonly config: pg.ClientConfig = {},
    options: PgDatabaseOptions = {},
  ) {
    this.target = describeTarget(connectionString, config, options.source ?? '--database-url / DATABASE_URL');
    this.name = this.target.database;
  }

  /** Where this database lives, without credentials: "host:port/database". */
  get location(): string {
    return `${this.target.host}:${this.target.port}/${this.target.database}`;
  }

  async withConnection<T>(fn: (connection: SqlConnection) => Promise<T>): Promise<T> {
    const client = new pg.Client({
      connectionTimeoutMillis: 10_000,
      // Lets preflight checks and operators tell our sessions from the application's.
      application_name: 'stepmigrate',
      ...this.config,
      connectionString: this.connectionString,
    });
    // A terminated backend emits 'error' on the client; the pending query rejects anyway,
    // so the event must not become an unhandled exception that kills the process.
    client.on('error', () => {});
    this.open.add(client);
    try {
      try {
        await client.connect();
      } catch (error) {
        throw connectionFailure(error, this.target);
      }
      return await fn(new PgConnection(client));
    } finally {
      this.open.delete(client);
      await client.end().catch(() => {});
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.open].map((client) => client.end().catch(() => {})));
    this.open.clear();
  }
}
