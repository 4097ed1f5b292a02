// "Backups are proven": every built-in type family survives backup → destroy → restore,
// checked by the manifest checksum and by comparing every value of every row.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { backupTables } from '../../../lambdas/engine/backup/backup-tables.ts';
import { readManifest } from '../../../lambdas/engine/backup/manifest.ts';
import { restoreTables } from '../../../lambdas/engine/backup/restore-tables.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { MemoryBackupStore } from '../../support/memory-backup-store.ts';
import { everyTypeRowsSql, everyTypeSchemaSql } from './every-type-fixture.ts';
import { scalar, sql, tableRows } from './table-rows.ts';

const table = 'app.every_type';
let target: TestDatabase;
let store: MemoryBackupStore;
let before: string[][];
let run = 0;

beforeAll(async () => {
  target = await createTestDatabase('backup_types');
});
afterAll(async () => {
  await target.drop();
});
beforeEach(async () => {
  await sql(target.db, `DROP SCHEMA IF EXISTS app CASCADE; ${everyTypeSchemaSql}; ${everyTypeRowsSql}`);
  store = new MemoryBackupStore();
  before = await tableRows(target.db, table);
});

async function backUp() {
  run++;
  return backupTables(
    { db: target.db, store },
    { executionId: `exec-${run}`, database: 'typesdb', tables: [table], fingerprintBefore: 'fp-before' },
  );
}

async function destroyAndRestore(destroy: string) {
  const summary = await backUp();
  await sql(target.db, destroy);
  expect(await tableRows(target.db, table).catch(() => [])).not.toEqual(before);
  const result = await restoreTables({ db: target.db, store }, { manifest: summary.manifestKey });
  return { summary, result };
}

describe('backup and restore of every built-in column type', () => {
  it('records rows, bytes, checksum, columns and DDL in the manifest', async () => {
    const summary = await backUp();
    const manifest = await readManifest(store, summary.manifestKey);
    expect(summary.manifestKey).toBe(`typesdb/exec-${run}/manifest.json`);
    expect(manifest).toMatchObject({
      executionId: `exec-${run}`,
      database: 'typesdb',
      fingerprintBefore: 'fp-before',
    });
    const [entry] = manifest.tables;
    expect(entry).toMatchObject({ name: table, rows: 4, key: `typesdb/exec-${run}/app.every_type.copy.gz` });
    expect(entry!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(entry!.copyColumns).not.toContain('c_generated');
    expect(entry!.ddl.create.join('\n')).toContain('GENERATED ALWAYS AS IDENTITY');
    expect(entry!.sequences).toEqual([
      expect.objectContaining({ column: 'id', lastValue: '4', isCalled: true }),
    ]);
  });

  it('brings a dropped table back bit for bit, with generated and identity columns', async () => {
    const { summary, result } = await destroyAndRestore(`DROP TABLE ${table}`);
    expect(result.tables).toEqual([
      expect.objectContaining({ name: table, recreated: true, verifiedBy: 'checksum' }),
    ]);
    expect(await tableRows(target.db, table)).toEqual(before);
    // Identity continues after the backed-up values, and the generated column is computed again.
    expect(await scalar(target.db, `INSERT INTO ${table} (c_text, c_int) VALUES ('z', 7) RETURNING id`)).toBe(
      '5',
    );
    expect(await scalar(target.db, `SELECT c_generated FROM ${table} WHERE id = 5`)).toBe('z/7');
    // A second backup of the restored table has the same checksum as the first.
    await sql(target.db, `DELETE FROM ${table} WHERE id = 5`);
    expect((await backUp()).tables[0]!.sha256).toBe(summary.tables[0]!.sha256);
  });

  it('puts values back into columns a down section dropped and re-added, and undoes updates and deletes', async () => {
    const { result } = await destroyAndRestore(`
      ALTER TABLE ${table} DROP COLUMN c_jsonb, DROP COLUMN c_pair_array;
      ALTER TABLE ${table} ADD COLUMN c_jsonb jsonb, ADD COLUMN c_pair_array app.pair[];
      UPDATE ${table} SET c_text = 'overwritten', c_double = 0;
      DELETE FROM ${table} WHERE id = 2;`);
    expect(result.tables[0]).toMatchObject({ recreated: false, addedColumns: [], verifiedBy: 'checksum' });
    expect(await tableRows(target.db, table)).toEqual(before);
  });

  it('adds back columns that were dropped and never re-added', async () => {
    const { result } = await destroyAndRestore(
      `ALTER TABLE ${table} DROP COLUMN c_bytea, DROP COLUMN c_int CASCADE`,
    );
    expect(result.tables[0]!.addedColumns.sort()).toEqual(['c_bytea', 'c_generated', 'c_int']);
    expect(await tableRows(target.db, table)).toEqual(before);
  });

  it('brings back a dropped serial column with its sequence at the backup-time value', async () => {
    await sql(target.db, `ALTER TABLE ${table} ADD COLUMN legacy_id serial`);
    before = await tableRows(target.db, table);
    const summary = await backUp();
    await sql(target.db, `ALTER TABLE ${table} DROP COLUMN legacy_id`);
    expect(await scalar(target.db, `SELECT to_regclass('app.every_type_legacy_id_seq') IS NULL`)).toBe(true);
    const result = await restoreTables({ db: target.db, store }, { manifest: summary.manifestKey });
    expect(result.tables[0]!.addedColumns).toEqual(['legacy_id']);
    expect(await tableRows(target.db, table)).toEqual(before);
    expect(await scalar(target.db, `INSERT INTO ${table} DEFAULT VALUES RETURNING legacy_id`)).toBe(5);
  });

  it('refuses, and changes nothing, when a type the table needs is gone', async () => {
    const summary = await backUp();
    await sql(target.db, `DROP TABLE ${table}; DROP TYPE app.pair`);
    await expect(restoreTables({ db: target.db, store }, { manifest: summary.manifestKey })).rejects.toThrow(
      /cannot recreate app\.every_type from the backup manifest: type "app\.pair" does not exist/,
    );
    expect(await scalar(target.db, `SELECT to_regclass('${table}') IS NULL`)).toBe(true);
  });

  it('sets sequences back to their values at backup time', async () => {
    const summary = await backUp();
    await sql(
      target.db,
      `SELECT nextval(pg_get_serial_sequence('${table}', 'id')) FROM generate_series(1, 50)`,
    );
    await restoreTables({ db: target.db, store }, { manifest: summary.manifestKey });
    expect(await scalar(target.db, `SELECT last_value::text FROM app.every_type_id_seq`)).toBe('4');
  });

  it('check mode verifies the backup restores and then changes nothing', async () => {
    const summary = await backUp();
    await sql(target.db, `UPDATE ${table} SET c_text = 'after backup'`);
    const changed = await tableRows(target.db, table);
    const result = await restoreTables(
      { db: target.db, store },
      { manifest: summary.manifestKey, mode: 'check' },
    );
    expect(result).toMatchObject({
      committed: false,
      tables: [expect.objectContaining({ verifiedBy: 'checksum' })],
    });
    expect(await tableRows(target.db, table)).toEqual(changed);
  });
});
