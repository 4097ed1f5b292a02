// Restore as a role that owns its tables but may not set session_replication_role (the usual
// application-owner role): user triggers are disabled by name, and a parent that unrestored
// tables reference is refused with the fix, instead of cascading into them.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { pgCopyStreams } from '../../../lambdas/adapters/pg-copy-streams.ts';
import { PgDatabase } from '../../../lambdas/adapters/pg-database.ts';
import { backupTables } from '../../../lambdas/engine/backup/backup-tables.ts';
import { restoreTables } from '../../../lambdas/engine/backup/restore-tables.ts';
import { BackupError } from '../../../lambdas/engine/errors.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { MemoryBackupStore } from '../../support/memory-backup-store.ts';
import { scalar, sql, tableRows } from './table-rows.ts';

let target: TestDatabase;
let owner: PgDatabase;
let store: MemoryBackupStore;
const role = `owner_${randomBytes(4).toString('hex')}`;
const password = randomBytes(12).toString('hex');

beforeAll(async () => {
  target = await createTestDatabase('backup_owner');
  await sql(
    target.db,
    `CREATE ROLE ${role} LOGIN PASSWORD '${password}'; GRANT ALL ON DATABASE "${target.name}" TO ${role}`,
  );
  const url = new URL(target.url);
  url.username = role;
  url.password = password;
  owner = new PgDatabase(url.toString(), {}, { copy: pgCopyStreams });
});
afterAll(async () => {
  await owner.close();
  await target.drop();
  await sql(target.db, `DROP ROLE IF EXISTS ${role}`).catch(() => {});
});
beforeEach(async () => {
  await sql(
    owner,
    `DROP SCHEMA IF EXISTS app CASCADE; CREATE SCHEMA app;
     CREATE TABLE app.users (id int PRIMARY KEY, email text);
     CREATE TABLE app.orders (id int PRIMARY KEY, user_id int REFERENCES app.users ON DELETE CASCADE);
     CREATE TABLE app.audit (what text);
     CREATE FUNCTION app.log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO app.audit VALUES (TG_OP); RETURN NULL; END $$;
     CREATE TRIGGER users_log AFTER INSERT OR DELETE ON app.users FOR EACH ROW EXECUTE FUNCTION app.log();
     INSERT INTO app.users SELECT i, 'u' || i FROM generate_series(1, 50) i;
     INSERT INTO app.orders SELECT i, i FROM generate_series(1, 20) i;
     TRUNCATE app.audit;`,
  );
  store = new MemoryBackupStore();
});

describe('row-level security', () => {
  it('refuses to back up a table a policy would filter, instead of saving part of it', async () => {
    await sql(
      owner,
      `ALTER TABLE app.users ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
       CREATE POLICY only_small ON app.users USING (id < 10);`,
    );
    await expect(
      backupTables(
        { db: owner, store },
        { executionId: 'e3', database: 'd', tables: ['app.users'], fingerprintBefore: 'fp' },
      ),
    ).rejects.toThrow(/cannot read app\.users for the backup: .*row-level security.*BYPASSRLS/);
    expect(store.objects.size).toBe(0);
  });
});

describe('restore without the privilege to set session_replication_role', () => {
  it('restores parent and children together with user triggers silent and re-enabled after', async () => {
    const users = await tableRows(owner, 'app.users');
    const orders = await tableRows(owner, 'app.orders');
    const summary = await backupTables(
      { db: owner, store },
      { executionId: 'e1', database: 'd', tables: ['app.users', 'app.orders'], fingerprintBefore: 'fp' },
    );
    await sql(owner, 'DELETE FROM app.users WHERE id > 5; TRUNCATE app.audit');
    await restoreTables({ db: owner, store }, { manifest: summary.manifestKey });
    expect(await tableRows(owner, 'app.users')).toEqual(users);
    expect(await tableRows(owner, 'app.orders')).toEqual(orders);
    expect(await scalar(owner, 'SELECT count(*)::int FROM app.audit')).toBe(0);
    await sql(owner, "INSERT INTO app.users VALUES (999, 'after')");
    expect(await scalar(owner, 'SELECT count(*)::int FROM app.audit')).toBe(1);
  });

  it('refuses to replace a parent that unrestored tables reference, naming them and the fix', async () => {
    const summary = await backupTables(
      { db: owner, store },
      { executionId: 'e2', database: 'd', tables: ['app.users'], fingerprintBefore: 'fp' },
    );
    await sql(owner, "UPDATE app.users SET email = 'changed'");
    const orders = await tableRows(owner, 'app.orders');
    const error = await restoreTables({ db: owner, store }, { manifest: summary.manifestKey }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(BackupError);
    expect(error.message).toMatch(
      /app\.users is referenced by foreign keys from app\.orders.*session_replication_role.*--table app\.orders/,
    );
    expect(await scalar(owner, "SELECT count(*)::int FROM app.users WHERE email = 'changed'")).toBe(50);
    expect(await tableRows(owner, 'app.orders')).toEqual(orders);
  });
});
