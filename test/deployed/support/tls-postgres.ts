// A PostgreSQL that accepts TLS connections only, as RDS does with rds.force_ssl: a throw-away
// cluster, a self-signed certificate made for this run (openssl when present, else none and
// the caller skips), pg_hba.conf with `hostssl` lines only, and a migration role shaped like
// RDS's master user: LOGIN, CREATEDB and CREATEROLE, no SUPERUSER.
import { execFileSync } from 'node:child_process';
import { chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { startTemporaryCluster, type TemporaryCluster } from '../../../cli/local/embedded-postgres.ts';

export interface TlsPostgres {
  port: number;
  /** PEM of the server certificate: what NODE_EXTRA_CA_CERTS points at (RDS's CA bundle on Lambda). */
  caFile: string;
  ca: string;
  role: { username: string; password: string };
  /** Creates a database owned by the migration role. */
  createDatabase(name: string): Promise<void>;
  /** Runs SQL as the migration role in `database` (over TLS). */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(database: string, sql: string): Promise<T[]>;
  /** Runs SQL as the cluster's superuser in `database` (over TLS): what an administrator did. */
  adminQuery(database: string, sql: string): Promise<unknown[]>;
  /** True when a connection without TLS is refused. */
  refusesPlainConnections(): Promise<boolean>;
  stop(): Promise<void>;
}

export function opensslMissing(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
    return undefined;
  } catch {
    return 'openssl is not on PATH: the suite needs it to make the server certificate';
  }
}

async function asAdmin<T>(
  url: string,
  ssl: pg.ClientConfig['ssl'],
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url, ssl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function startTlsPostgres(): Promise<TlsPostgres> {
  const cluster: TemporaryCluster = await startTemporaryCluster();
  try {
    const { dataDir, hbaFile } = await asAdmin(cluster.url, false, async (client) => ({
      dataDir: (await client.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!
        .data_directory,
      hbaFile: (await client.query<{ hba_file: string }>('SHOW hba_file')).rows[0]!.hba_file,
    }));
    const tlsDir = join(cluster.dir, 'tls');
    await mkdir(tlsDir, { recursive: true });
    const certFile = join(tlsDir, 'server.crt');
    const keyFile = join(tlsDir, 'server.key');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'pipe' },
    );
    const owner = await stat(dataDir);
    for (const file of [tlsDir, certFile, keyFile]) await chown(file, owner.uid, owner.gid);
    const role = { username: 'stepmigrate', password: `pw-${Date.now().toString(36)}-Migr8` };
    await asAdmin(cluster.url, false, async (client) => {
      await client.query(`ALTER SYSTEM SET ssl = on`);
      await client.query(`ALTER SYSTEM SET ssl_cert_file = '${certFile}'`);
      await client.query(`ALTER SYSTEM SET ssl_key_file = '${keyFile}'`);
      await client.query(
        `CREATE ROLE ${role.username} LOGIN CREATEDB CREATEROLE NOSUPERUSER PASSWORD '${role.password}'`,
      );
    });
    await writeFile(hbaFile, 'hostssl all all 127.0.0.1/32 scram-sha-256\n');
    await asAdmin(cluster.url, false, (client) => client.query('SELECT pg_reload_conf()'));
    const ca = await readFile(certFile, 'utf8');
    const ssl = { ca, rejectUnauthorized: true };
    const adminTls = cluster.url;
    const roleUrl = (database: string) =>
      `postgresql://${role.username}:${encodeURIComponent(role.password)}@127.0.0.1:${cluster.port}/${database}`;
    return {
      port: cluster.port,
      caFile: certFile,
      ca,
      role,
      createDatabase: (name) =>
        asAdmin(adminTls, ssl, async (client) => {
          await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} OWNER ${role.username}`);
        }),
      adminQuery: (database, sql) => {
        const url = new URL(adminTls);
        url.pathname = `/${database}`;
        return asAdmin(url.toString(), ssl, async (client) => (await client.query(sql)).rows);
      },
      query: (database, sql) =>
        asAdmin(roleUrl(database), ssl, async (client) => (await client.query(sql)).rows),
      refusesPlainConnections: () => asAdmin(roleUrl('postgres'), false, async () => false).catch(() => true),
      stop: () => cluster.stop(),
    };
  } catch (error) {
    await cluster.stop().catch(() => {});
    throw error;
  }
}
