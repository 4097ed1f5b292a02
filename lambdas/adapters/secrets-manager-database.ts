// The Database port for a Lambda: the connection comes from a Secrets Manager secret, read on
// first use and kept for the life of the container. Two formats work: the RDS format
// (`host`, `port`, `dbname`, `username`, `password`: `DatabaseInstance.secret`), and the
// RDS-managed master user secret (`ManageMasterUserPassword`), which holds only `username`
// and `password`; its host, port and database name come from the function's environment.
// The secret's values never appear in a message, a log line or an error.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type pg from 'pg';
import { PreflightError } from '../engine/errors.ts';
import type { Database, SqlConnection } from '../ports.ts';
import { type PgCopyStreams, PgDatabase } from './pg-database.ts';

/** The fields stepmigrate uses from an RDS-format secret (`DatabaseInstance.secret`). */
export interface RdsSecret {
  host: string;
  port: number;
  username: string;
  password: string;
  dbname: string;
}

export interface SecretsManagerDatabaseOptions {
  client: SecretsManagerClient;
  secretArn: string;
  /** Display name for messages and the audit log (STEPMIGRATE_DATABASE). */
  name: string;
  /**
   * TLS settings. RDS certificates are verified against Node's CAs plus NODE_EXTRA_CA_CERTS
   * (the construct points it at the Lambda runtime's bundle, which holds the RDS CAs).
   * @default { rejectUnauthorized: true }
   */
  ssl?: pg.ClientConfig['ssl'];
  /**
   * Where the database is when the secret does not say (an RDS-managed master user secret):
   * STEPMIGRATE_DB_HOST, STEPMIGRATE_DB_PORT and STEPMIGRATE_DB_NAME. The secret's own fields win.
   */
  endpoint?: DatabaseEndpoint;
  /** COPY for the steps that back up or restore (pg-copy-streams.ts); the others go without. */
  copy?: PgCopyStreams;
  /** Opens the database from a connection string; tests replace it. */
  connect?: (connectionString: string, config: pg.ClientConfig) => Database;
}

export interface DatabaseEndpoint {
  host?: string;
  port?: number;
  dbname?: string;
}

const CREDENTIAL_FIELDS = ['username', 'password'] as const;

export class SecretsManagerDatabase implements Database {
  readonly name: string;
  private readonly options: SecretsManagerDatabaseOptions;
  private database: Promise<Database> | undefined;

  constructor(options: SecretsManagerDatabaseOptions) {
    this.options = options;
    this.name = options.name;
  }

  async withConnection<T>(fn: (connection: SqlConnection) => Promise<T>): Promise<T> {
    let entered = false;
    const run = async (database: Database) =>
      database.withConnection((connection) => {
        entered = true;
        return fn(connection);
      });
    try {
      return await run(await this.open());
    } catch (error) {
      // After a rotation the cached password is stale: read the secret once more, but only
      // when `fn` never ran, so nothing is ever executed twice.
      if (entered || !isAuthenticationFailure(error)) throw error;
      await this.forget();
      return run(await this.open());
    }
  }

  async close(): Promise<void> {
    await this.forget();
  }

  private open(): Promise<Database> {
    this.database ??= this.load().catch((error: unknown) => {
      this.database = undefined;
      throw error;
    });
    return this.database;
  }

  private async forget(): Promise<void> {
    const database = this.database;
    this.database = undefined;
    await database?.then((opened) => opened.close()).catch(() => {});
  }

  private async load(): Promise<Database> {
    const secret = await readDatabaseSecret(
      this.options.client,
      this.options.secretArn,
      this.options.endpoint,
    );
    const connect =
      this.options.connect ?? ((url, config) => new PgDatabase(url, config, { copy: this.options.copy }));
    return connect(connectionString(secret), { ssl: this.options.ssl ?? { rejectUnauthorized: true } });
  }
}

/** Reads and checks the secret; errors name the secret and the missing fields, never values. */
async function readDatabaseSecret(
  client: SecretsManagerClient,
  secretArn: string,
  endpoint: DatabaseEndpoint = {},
): Promise<RdsSecret> {
  let text: string | undefined;
  try {
    text = (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new PreflightError(`cannot read the database secret ${secretArn}: ${reason}`, { cause: error });
  }
  return parseRdsSecret(text, secretArn, endpoint);
}

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

function parseRdsSecret(text: string | undefined, secretArn: string, endpoint: DatabaseEndpoint): RdsSecret {
  const expected =
    'JSON with host, port, username, password and dbname (the RDS secret format), or username and password ' +
    'with STEPMIGRATE_DB_HOST, STEPMIGRATE_DB_PORT and STEPMIGRATE_DB_NAME set on the function (an RDS-managed master user secret)';
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text ?? '') as Record<string, unknown>;
  } catch {
    throw new PreflightError(`database secret ${secretArn} is not ${expected}`);
  }
  if (value === null || typeof value !== 'object') {
    throw new PreflightError(`database secret ${secretArn} is not ${expected}`);
  }
  const missing: string[] = CREDENTIAL_FIELDS.filter((field) => nonEmpty(value[field]) === undefined);
  const host = nonEmpty(value.host) ?? endpoint.host;
  if (host === undefined) missing.push('host (and STEPMIGRATE_DB_HOST is not set)');
  const port = value.port !== undefined ? Number(value.port) : (endpoint.port ?? 5432);
  if (!Number.isInteger(port) || port <= 0) missing.push('a valid port');
  if (missing.length > 0) {
    throw new PreflightError(
      `database secret ${secretArn} lacks ${missing.join(', ')}; expected ${expected}`,
    );
  }
  return {
    host: host as string,
    port,
    username: value.username as string,
    password: value.password as string,
    dbname: nonEmpty(value.dbname) ?? endpoint.dbname ?? 'postgres',
  };
}

export function connectionString(secret: RdsSecret): string {
  const user = encodeURIComponent(secret.username);
  const password = encodeURIComponent(secret.password);
  return `postgresql://${user}:${password}@${secret.host}:${secret.port}/${encodeURIComponent(secret.dbname)}`;
}

/** SQLSTATE 28P01 (invalid_password) anywhere in the cause chain. */
function isAuthenticationFailure(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if ((current as { code?: unknown }).code === '28P01') return true;
  }
  return false;
}
