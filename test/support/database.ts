// A fresh database per test file on the server the integration run shares
// (see global-setup.ts), so test files never see each other's schemas or locks.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pgCopyStreams } from '../../lambdas/adapters/pg-copy-streams.ts';
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

/** The test server's URL with MASTER_USER's credentials. */
function masterUserUrl(): string {
  const url = new URL(testAdminUrl());
  url.username = MASTER_USER.name;
  url.password = MASTER_USER.password;
  return url.toString();
}

export function urlForDatabase(name: string, adminUrl = testAdminUrl()): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/**
 * A role shaped like RDS's master user: LOGIN, CREATEDB and CREATEROLE, no SUPERUSER (on RDS
 * it is also a member of rds_superuser, which this server does not have). Production never
 * migrates as a superuser, so the workflow tests that can run as this role do.
 */
export const MASTER_USER = { name: 'stepmigrate_master', password: 'master-user-pw-4e1b' };

export interface TestDatabaseOptions {
  /** Own the database as MASTER_USER and connect as it. @default false: the server's superuser */
  asMasterUser?: boolean;
}

async function ensureMasterUser(): Promise<void> {
  const role = pg.escapeIdentifier(MASTER_USER.name);
  const password = pg.escapeLiteral(MASTER_USER.password);
  await asAdmin(`DO $$ BEGIN
      CREATE ROLE ${role} LOGIN CREATEDB CREATEROLE NOSUPERUSER PASSWORD ${password};
    EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
}

/** Creates an empty, uniquely named database. `label` only helps when reading server logs. */
export async function createTestDatabase(
  label = 'test',
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30);
  const name = `${safeLabel}_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (options.asMasterUser) await ensureMasterUser();
  const owner = options.asMasterUser ? ` OWNER ${pg.escapeIdentifier(MASTER_USER.name)}` : '';
  await asAdmin(`CREATE DATABASE ${pg.escapeIdentifier(name)}${owner}`);
  const url = urlForDatabase(name, options.asMasterUser ? masterUserUrl() : undefined);
  const db = new PgDatabase(url, {}, { copy: pgCopyStreams });
  const drop = async () => {
    await db.close();
    await asAdmin(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  };
  return { url, name, db, drop };
}
