// A fresh database per test file on the server the integration run shares
// (see global-setup.ts), so test files never see each other's schemas or locks.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { adminUrlVariable } from './shared-cluster.ts';

export interface TestDatabase {
  /** Connection URL of the new database (contains the test server's password). */
  url: string;
  name: string;
  db: PgDatabase;
  /** Closes `db` and drops the database, disconnecting anyone still connected. */
  drop(): Promise<void>;
}

/** Superuser URL of the test server; throws when the integration globalSetup did not run. */
export function testAdminUrl(): string {
  const url = process.env[adminUrlVariable] ?? process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      `${adminUrlVariable} is not set: run integration tests through jest's integration project (npm run test:integration), or set TEST_DATABASE_URL`,
    );
  }
  return url;
}

async function asAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testAdminUrl(), connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

export function urlForDatabase(name: string, adminUrl = testAdminUrl()): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** Creates an empty, uniquely named database. `label` only helps when reading server logs. */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30);
  const name = `${safeLabel}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await asAdmin(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  const url = urlForDatabase(name);
  const db = new PgDatabase(url);
  const drop = async () => {
    await db.close();
    await asAdmin(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  };
  return { url, name, db, drop };
}
