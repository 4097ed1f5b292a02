// The Database port over node-postgres. A connection serves one withConnection() at a time and
// is kept for the next one only when that call succeeded and `DISCARD ALL` then reset every
// piece of session state a migration can leave behind (role, search_path, timeouts, advisory
// locks, prepared statements, temporary tables), and the database's and role's defaults
// (`ALTER DATABASE … SET`) are still those the session started with. Opening a connection
// costs a new backend, which is most of what a small step spends. A call that failed — a backend killed
// mid-statement, a cancelled COPY — closes its connection, so a failure only ever affects
// the call that met it. A kept connection idle for longer than a moment is checked before it
// is handed out; a dead one (server restart, idle timeout, failover) is replaced by a new
// connection before the caller's first statement, never in the middle of its work.
import type { Readable, Writable } from 'node:stream';
import pg from 'pg';
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

/**
 * COPY in both directions (pg-copy-streams.ts). Only the Databases of steps that copy get it
 * (Backup, Rollback, the task runner, the CLI), so the bundles of the others leave the module out.
 */
export interface PgCopyStreams {
  to(sql: string): pg.Submittable & Readable;
  from(sql: string): pg.Submittable & Writable;
}

export interface PgDatabaseOptions {
  /** Names where the connection settings come from, in error messages. @default '--database-url / DATABASE_URL' */
  source?: string;
  /**
   * How many idle connections are kept for later calls: a warm Lambda container, or the local
   * runner's steps, reuse them. 0 opens a new connection for every call. @default 2
   */
  keepIdle?: number;
  /** How long an idle connection is kept before it is closed. @default 60 000 */
  idleTimeoutMs?: number;
  /**
   * A kept connection idle for longer than this is checked with a round trip before reuse
   * (a Lambda container thawed after minutes, a server restarted meanwhile). @default 1 000
   */
  checkAfterIdleMs?: number;
  /** COPY TO STDOUT / FROM STDIN; without it copyTo and copyFrom throw. */
  copy?: PgCopyStreams;
}
/** How long resetting a connection for reuse may take before it is closed instead. */
const RESET_TIMEOUT_MS = 5000;

/**
 * The per-database and per-role defaults (`ALTER DATABASE … SET`, `ALTER ROLE … SET`) that
 * apply to this session. A session takes them when it starts and `DISCARD ALL` resets to
 * those: a connection opened before a migration or `check --setup` changed them would keep
 * the old search_path where a new one gets the new. Such a connection is closed, not kept.
 */
const SESSION_DEFAULTS = `SELECT coalesce(string_agg(s.setdatabase || ':' || s.setrole || ':' || array_to_string(s.setconfig, ','), ';'
           ORDER BY s.setdatabase, s.setrole), '') AS defaults
      FROM pg_db_role_setting s
     WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
       AND s.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = session_user))`;

async function sessionDefaults(client: pg.Client): Promise<string | undefined> {
  try {
    const { rows } = await client.query<{ defaults: string }>({
      text: SESSION_DEFAULTS,
      query_timeout: RESET_TIMEOUT_MS,
    } as pg.QueryConfig);
    return rows[0]?.defaults;
  } catch {
    return undefined;
  }
}

/**
 * `DISCARD ALL`, then the session's defaults (SESSION_DEFAULTS) as they are now, in one round
 * trip: the two queries are written back to back, each its own simple query (DISCARD ALL
 * refuses to run inside the implicit transaction of a multi-statement one), and their answers
 * read in order. node-postgres would otherwise wait for the first answer before it sends the
 * second query, and a step waits for this reset before it can start on the connection. The
 * second query object sends nothing; it only receives the second answer. Resolves with the
 * defaults, or undefined when either query failed or the pair took longer than the reset may.
 */
function resetSession(client: pg.Client): Promise<string | undefined> {
  return new Promise((resolve) => {
    let discarded: boolean | undefined;
    let defaults: string | undefined;
    let pending = 2;
    const done = () => {
      if (--pending > 0) return;
      clearTimeout(timer);
      resolve(discarded ? defaults : undefined);
    };
    const timer = setTimeout(() => resolve(undefined), RESET_TIMEOUT_MS);
    timer.unref?.();
    let bothSent = false;
    const discard = new pg.Query('DISCARD ALL', undefined, (error: Error | undefined) => {
      discarded = !error;
      done();
    });
    // pg's submit returns the error that kept it from sending, if any (its types say void).
    const submitDiscard = discard.submit.bind(discard) as (connection: unknown) => Error | undefined;
    discard.submit = (connection: unknown) => {
      const failure = submitDiscard(connection);
      if (!failure) {
        (connection as { query(text: string): void }).query(SESSION_DEFAULTS);
        bothSent = true;
      }
      return failure;
    };
    const read = new pg.Query(
      SESSION_DEFAULTS,
      undefined,
      (error: Error | undefined, result: pg.QueryResult) => {
        defaults = error ? undefined : (result.rows[0] as { defaults?: string } | undefined)?.defaults;
        done();
      },
    );
    // Its query went out with DISCARD ALL's; had that not been sent, nothing answers it.
    read.submit = () => (bothSent ? null : new Error('the session defaults query was not sent')) as never;
    client.query(discard);
    client.query(read);
  });
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
  /** A COPY stream the caller may not have drained: such a connection is never reused. */
  copied = false;

  constructor(
    private readonly client: pg.Client,
    private readonly copy: PgCopyStreams | undefined,
  ) {}

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

  async queryEach(statements: readonly string[]): Promise<QueryResult<Record<string, unknown>>[]> {
    if (statements.length === 0) return [];
    // One simple-query message: node-postgres answers with one result per statement (a
    // single result, not an array, when there is only one). Each ';' goes on a line of its
    // own, so a statement that ends in a `--` comment does not swallow the next one.
    const result = await this.client.query(statements.join('\n;\n'));
    const results = Array.isArray(result) ? result : [result];
    if (results.length !== statements.length)
      throw new Error(
        `expected ${statements.length} results, got ${results.length}: each statement must be exactly one`,
      );
    return results.map((one) => ({ rows: one.rows ?? [], rowCount: one.rowCount ?? 0 }));
  }

  copyTo(sql: string): Readable {
    const stream = this.copyStreams().to(sql);
    this.copied = true;
    return this.client.query(stream);
  }

  copyFrom(sql: string): Writable {
    const stream = this.copyStreams().from(sql);
    this.copied = true;
    return this.client.query(stream);
  }

  private copyStreams(): PgCopyStreams {
    if (!this.copy)
      throw new Error(
        'this Database was opened without COPY support: only the steps that back up or restore are given pgCopyStreams',
      );
    return this.copy;
  }
}

interface Idle {
  client: pg.Client;
  /** Resolves true once `DISCARD ALL` has reset the session, false when it could not. */
  reset: Promise<boolean>;
  since: number;
  timer: NodeJS.Timeout;
}

/** pg keeps the socket private; an idle one must not keep the process alive. */
function socketOf(client: pg.Client): { ref?(): void; unref?(): void } | undefined {
  return (client as unknown as { connection?: { stream?: { ref?(): void; unref?(): void } } }).connection
    ?.stream;
}

export class PgDatabase implements Database {
  readonly name: string;
  private readonly target: Target;
  private readonly open = new Set<pg.Client>();
  private idle: Idle[] = [];
  /** Clients that reported an error or ended: never handed out again. */
  private readonly broken = new WeakSet<pg.Client>();
  /** Each client's database and role defaults as its session started (SESSION_DEFAULTS). */
  private readonly startedWith = new WeakMap<pg.Client, string | undefined>();
  private readonly keepIdle: number;
  private readonly idleTimeoutMs: number;
  private readonly checkAfterIdleMs: number;
  private readonly copy: PgCopyStreams | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly config: pg.ClientConfig = {},
    options: PgDatabaseOptions = {},
  ) {
    this.target = describeTarget(connectionString, config, options.source ?? '--database-url / DATABASE_URL');
    this.name = this.target.database;
    this.keepIdle = options.keepIdle ?? 2;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.checkAfterIdleMs = options.checkAfterIdleMs ?? 1000;
    this.copy = options.copy;
  }

  /** Where this database lives, without credentials: "host:port/database". */
  get location(): string {
    return `${this.target.host}:${this.target.port}/${this.target.database}`;
  }

  async withConnection<T>(fn: (connection: SqlConnection) => Promise<T>): Promise<T> {
    const client = (await this.reusable()) ?? (await this.connect());
    this.open.add(client);
    const connection = new PgConnection(client, this.copy);
    let succeeded = false;
    try {
      const result = await fn(connection);
      succeeded = true;
      return result;
    } finally {
      this.open.delete(client);
      if (succeeded && !connection.copied) this.park(client);
      else await this.end(client);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.dropIdle(), ...[...this.open].map((client) => this.end(client))]);
    this.open.clear();
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionTimeoutMillis: 10_000,
      // Lets preflight checks and operators tell our sessions from the application's.
      application_name: 'stepmigrate',
      ...this.config,
      connectionString: this.connectionString,
    });
    // A terminated backend emits 'error' on the client; the pending query rejects anyway,
    // so the event must not become an unhandled exception that kills the process.
    client.on('error', () => this.broken.add(client));
    client.on('end', () => this.broken.add(client));
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw connectionFailure(error, this.target);
    }
    if (this.keepIdle > 0) this.startedWith.set(client, await sessionDefaults(client));
    return client;
  }

  /**
   * A kept connection, reset and alive, or undefined. A connection that fails its check means
   * the server went away (restart, failover, idle timeout): every kept one is dropped then, and
   * the caller opens a new one — before its first statement, so nothing it does is repeated.
   */
  private async reusable(): Promise<pg.Client | undefined> {
    for (let entry = this.idle.pop(); entry; entry = this.idle.pop()) {
      clearTimeout(entry.timer);
      const { client } = entry;
      // Referenced again before anything is awaited on it: an idle socket does not keep the
      // process alive, a connection being handed out must.
      socketOf(client)?.ref?.();
      // Past its idle timeout without the timer having closed it: a Lambda container frozen
      // meanwhile, whose timers do not run. Closed, not checked: a network that dropped it
      // silently would leave the check waiting.
      const idleMs = Date.now() - entry.since;
      if (!(await entry.reset) || this.broken.has(client) || idleMs >= this.idleTimeoutMs) {
        await this.end(client);
        continue;
      }
      if (idleMs < this.checkAfterIdleMs) return client;
      const alive = await client.query('SELECT 1').then(
        () => true,
        () => false,
      );
      if (alive) return client;
      await this.end(client);
      await this.dropIdle();
      return undefined;
    }
    return undefined;
  }

  /** Resets `client` in the background and keeps it for the next call, or closes it. */
  private park(client: pg.Client): void {
    if (this.broken.has(client) || this.idle.length >= this.keepIdle) {
      void this.end(client);
      return;
    }
    // Everything a migration can leave on its session; outside a transaction only, so a
    // transaction left open makes it fail and the connection is closed instead.
    const started = this.startedWith.get(client);
    const reset = resetSession(client).then((defaults) => started !== undefined && defaults === started);
    const entry: Idle = {
      client,
      reset,
      since: Date.now(),
      timer: setTimeout(() => {
        this.idle = this.idle.filter((other) => other !== entry);
        void this.end(client);
      }, this.idleTimeoutMs),
    };
    entry.timer.unref?.();
    socketOf(client)?.unref?.();
    this.idle.push(entry);
  }

  /** Closes every kept connection. */
  private async dropIdle(): Promise<void> {
    const idle = this.idle;
    this.idle = [];
    for (const entry of idle) clearTimeout(entry.timer);
    await Promise.all(idle.map((entry) => this.end(entry.client)));
  }

  private async end(client: pg.Client): Promise<void> {
    this.broken.add(client);
    // Awaited by close(): the process must wait for it, even for a connection kept idle.
    socketOf(client)?.ref?.();
    await client.end().catch(() => {});
  }
}
