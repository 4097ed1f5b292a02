// Restores that have to respect the tables around them: partitioned tables, parents that
// other tables still reference, user triggers that must stay silent.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { backupTables } from '../../../lambdas/engine/backup/backup-tables.ts';
import { restoreTables } from '../../../lambdas/engine/backup/restore-tables.ts';
import { BackupError } from '../../../lambdas/engine/errors.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { MemoryBackupStore } from '../../support/memory-backup-store.ts';
import { scalar, sql, tableRows } from './table-rows.ts';

const schemaSql = `
DROP SCHEMA IF EXISTS app CASCADE;
CREATE SCHEMA app;
CREATE TABLE app.events (
  id bigserial, happened_on date NOT NULL, kind text NOT NULL, payload jsonb,
  PRIMARY KEY (id, happened_on, kind)
) PARTITION BY RANGE (happened_on);
CREATE TABLE app.events_2025 PARTITION OF app.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')
  PARTITION BY LIST (kind);
CREATE TABLE app.events_2026_click PARTITION OF app.events_2026 FOR VALUES IN ('click');
CREATE TABLE app.events_2026_other PARTITION OF app.events_2026 DEFAULT;
CREATE TABLE app.events_rest PARTITION OF app.events DEFAULT;
CREATE INDEX events_kind ON app.events (kind);
INSERT INTO app.events (happened_on, kind, payload)
SELECT date '2024-06-01' + (i * 7), CASE WHEN i % 3 = 0 THEN 'click' ELSE 'view' END, jsonb_build_object('i', i)
  FROM generate_series(1, 200) i;

CREATE TABLE app.users (id int PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE app.orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES app.users ON DELETE CASCADE, total numeric);
CREATE TABLE app.audit (at timestamptz DEFAULT now(), what text);
CREATE FUNCTION app.audit_users() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN INSERT INTO app.audit (what) VALUES (TG_OP); RETURN NULL; END $$;
CREATE TRIGGER users_audit AFTER INSERT OR UPDATE OR DELETE ON app.users FOR EACH ROW EXECUTE FUNCTION app.audit_users();
CREATE TRIGGER users_audit_always AFTER INSERT ON app.users FOR EACH ROW EXECUTE FUNCTION app.audit_users();
ALTER TABLE app.users ENABLE ALWAYS TRIGGER users_audit_always;
INSERT INTO app.users SELECT i, 'user' || i || '@example.com' FROM generate_series(1, 20) i;
INSERT INTO app.orders SELECT i, 1 + i % 10, i * 1.5 FROM generate_series(1, 30) i;
TRUNCATE app.audit;
`;

let target: TestDatabase;
let store: MemoryBackupStore;
let run = 0;

beforeAll(async () => {
  target = await createTestDatabase('backup_relations');
});
afterAll(async () => {
  await target.drop();
});
beforeEach(async () => {
  await sql(target.db, schemaSql);
  store = new MemoryBackupStore();
});

async function backUp(tables: string[]) {
  run++;
  return backupTables(
    { db: target.db, store },
    { executionId: `exec-${run}`, database: 'relations', tables, fingerprintBefore: 'fp' },
  );
}

describe('partitioned tables', () => {
  it('backs up each row once, in its leaf partition, and recreates the whole tree after DROP', async () => {
    const before = await tableRows(target.db, 'app.events');
    // The plan names the parent and one of its partitions: still one object per table, each row once.
    const summary = await backUp(['app.events', 'app.events_2025']);
    const names = summary.tables.map((t) => t.name);
    expect(names[0]).toBe('app.events');
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual(
      [
        'app.events',
        'app.events_2025',
        'app.events_2026',
        'app.events_2026_click',
        'app.events_2026_other',
        'app.events_rest',
      ].sort(),
    );
    expect(summary.tables.reduce((sum, t) => sum + t.rows, 0)).toBe(200);
    expect(summary.tables.find((t) => t.name === 'app.events')!.rows).toBe(0);
    await sql(target.db, 'DROP TABLE app.events');
    const result = await restoreTables({ db: target.db, store }, { manifest: summary.manifestKey });
    expect(result.tables[0]).toMatchObject({ recreated: true, verifiedBy: 'checksum' });
    expect(await tableRows(target.db, 'app.events')).toEqual(before);
    expect(await scalar(target.db, 'SELECT count(*)::int FROM app.events_2026_click')).toBeGreaterThan(0);
    expect(await scalar(target.db, "SELECT to_regclass('app.events_kind') IS NOT NULL")).toBe(true);
  });

  it('recreates partitions a down section dropped, with their rows', async () => {
    const before = await tableRows(target.db, 'app.events');
    const summary = await backUp(['app.events']);
    await sql(
      target.db,
      'DROP TABLE app.events_2025; ALTER TABLE app.events DETACH PARTITION app.events_2026; DROP TABLE app.events_2026',
    );
    await restoreTables({ db: target.db, store }, { manifest: summary.manifestKey });
    expect(await tableRows(target.db, 'app.events')).toEqual(before);
    expect(await scalar(target.db, 'SELECT count(*)::int FROM app.events_2026_click')).toBeGreaterThan(0);
  });

  it('replaces rows that moved or vanished across partitions', async () => {
    const before = await tableRows(target.db, 'app.events');
    const summary = await backUp(['app.events']);
    await sql(
      target.db,
      "UPDATE app.events SET happened_on = '2026-03-01' WHERE id % 5 = 0; DELETE FROM app.events WHERE id < 20",
    );
    await restoreTables({ db: target.db, store }, { manifest: summary.manifestKey });
    expect(await tableRows(target.db, 'app.events')).toEqual(before);
  });
});

describe('foreign keys and triggers', () => {
  it('restores a parent while its children stay: no cascade, no user trigger fires', async () => {
    const users = await tableRows(target.db, 'app.users');
    const orders = await tableRows(target.db, 'app.orders');
    const summary = await backUp(['app.users']);
    await sql(
      target.db,
      'UPDATE app.users SET email = upper(email); DELETE FROM app.users WHERE id > 10; TRUNCATE app.audit',
    );
    const result = await restoreTables({ db: target.db, store }, { manifest: summary.manifestKey });
    expect(result.tables[0]!.verifiedBy).toMatch(/checksum|row-set/);
    expect(await tableRows(target.db, 'app.users')).toEqual(users);
    expect(await tableRows(target.db, 'app.orders')).toEqual(orders);
    expect(await scalar(target.db, 'SELECT count(*)::int FROM app.audit')).toBe(0);
    // The triggers are enabled again, exactly as they were.
    expect(
      await scalar(
        target.db,
        "SELECT string_agg(tgname || '=' || tgenabled::text, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'app.users'::regclass AND NOT tgisinternal",
      ),
    ).toBe('users_audit=O,users_audit_always=A');
  });

  it('restores a referenced table whose pages have free space from earlier deletes', async () => {
    await sql(target.db, "INSERT INTO app.users SELECT i, 'bulk' || i FROM generate_series(1000, 6000) i");
    await sql(target.db, 'DELETE FROM app.users WHERE id >= 1000 AND id % 3 <> 0');
    await sql(target.db, 'VACUUM app.users');
    const users = await tableRows(target.db, 'app.users');
    const summary = await backUp(['app.users']);
    await sql(target.db, "UPDATE app.users SET email = 'x' || email WHERE id % 2 = 0");
    const result = await restoreTables({ db: target.db, store }, { manifest: summary.manifestKey });
    expect(result.tables[0]!.verifiedBy).toMatch(/^(checksum|row-set)$/);
    expect(await tableRows(target.db, 'app.users')).toEqual(users);
  });

  it('restores parent and children together, recreating the dropped parent and its foreign keys', async () => {
    const users = await tableRows(target.db, 'app.users');
    const orders = await tableRows(target.db, 'app.orders');
    const summary = await backUp(['app.orders', 'app.users']);
    await sql(target.db, 'DROP TABLE app.users CASCADE; DELETE FROM app.orders WHERE id > 3');
    await restoreTables({ db: target.db, store }, { manifest: summary.manifestKey });
    expect(await tableRows(target.db, 'app.users')).toEqual(users);
    expect(await tableRows(target.db, 'app.orders')).toEqual(orders);
    await expect(sql(target.db, 'INSERT INTO app.orders VALUES (999, 12345, 1)')).rejects.toThrow(
      /foreign key/,
    );
  });

  it('puts back row-level security and policies a migration dropped from a table that still exists', async () => {
    await sql(
      target.db,
      `ALTER TABLE app.users ENABLE ROW LEVEL SECURITY;
       CREATE POLICY users_own ON app.users FOR SELECT TO PUBLIC USING (id < 100);
       COMMENT ON COLUMN app.users.email IS 'login name'`,
    );
    const summary = await backUp(['app.users']);
    await sql(
      target.db,
      "DROP POLICY users_own ON app.users; ALTER TABLE app.users DISABLE ROW LEVEL SECURITY; COMMENT ON COLUMN app.users.email IS NULL; UPDATE app.users SET email = 'x' || email",
    );
    await restoreTables({ db: target.db, store }, { manifest: summary.manifestKey });
    expect(
      await scalar(
        target.db,
        `SELECT c.relrowsecurity::text || ' ' || (SELECT string_agg(polname || ':' || pg_get_expr(polqual, polrelid), ',') FROM pg_policy WHERE polrelid = c.oid)
              || ' ' || col_description(c.oid, 2)
           FROM pg_class c WHERE c.oid = 'app.users'::regclass`,
      ),
    ).toBe('true users_own:(id < 100) login name');
  });

  it('refuses a restore that would leave children pointing at parents the backup does not hold', async () => {
    const summary = await backUp(['app.users']);
    await sql(
      target.db,
      "INSERT INTO app.users VALUES (500, 'new@example.com'); INSERT INTO app.orders VALUES (500, 500, 1)",
    );
    const users = await tableRows(target.db, 'app.users');
    const error = await restoreTables({ db: target.db, store }, { manifest: summary.manifestKey }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(BackupError);
    expect(error.message).toMatch(/app\.orders.*app\.users.*orders_user_id_fkey/);
    expect(await tableRows(target.db, 'app.users')).toEqual(users);
  });
});
