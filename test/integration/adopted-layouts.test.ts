// golang-migrate, Flyway and dbmate projects, as those tools' users write them, run by the
// engine on a real PostgreSQL without changing a file.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { readRunHistory } from '../../lambdas/engine/adopt/import-history.ts';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { readHistory } from '../../lambdas/engine/history.ts';
import { type LoadOptions, loadMigrations } from '../../lambdas/engine/loader/load.ts';
import { rollbackRun } from '../../lambdas/engine/rollback.ts';
import { computeStatus } from '../../lambdas/engine/status.ts';
import { applyPlanStep, releaseRun, validateRun } from '../../lambdas/engine/steps.ts';
import { engineContext, runSteps } from '../support/engine.ts';
import { useProjectDatabase } from '../support/project-database.ts';

const database = useProjectDatabase(
  'adopted_layouts',
  'DROP SCHEMA IF EXISTS blog, inventory, stepmigrate CASCADE; DROP TABLE IF EXISTS public.sessions, public.users',
);

function context(directory: string, options: LoadOptions = {}): Promise<EngineContext> {
  return engineContext(database.db, directory, options);
}

function run(ctx: EngineContext, input: Record<string, unknown>): Promise<string[]> {
  return runSteps(ctx, input, database.nextExecution());
}

describe('a golang-migrate project', () => {
  it('applies, including files with their own BEGIN/COMMIT and a concurrent index, and reverts to an empty schema', async () => {
    const ctx = await context('test/fixtures/golang-migrate/blog');
    expect(ctx.migrations.layout).toBe('golang-migrate');
    expect(await run(ctx, {})).toEqual(['up 000001', 'up 000002', 'up 000003']);
    expect(await run(ctx, { target: '1' })).toEqual(['down 000003', 'down 000002']);
    expect(await run(ctx, { target: '0' })).toEqual(['down 000001']);
    expect(await database.fingerprint()).toBe(database.emptyFingerprint);
  });
});

describe('a golang-migrate file with its own BEGIN/COMMIT that fails', () => {
  it('leaves nothing behind, is not marked dirty, and the run rolls back to where it started', async () => {
    const project = await database.copyOf('test/fixtures/golang-migrate/blog');
    await writeFile(
      join(project, '000002_add_author.up.sql'),
      'BEGIN;\nALTER TABLE blog.posts ADD COLUMN author text;\nSELECT blog.no_such_function();\nCOMMIT;\n',
    );
    const ctx = await context(project);
    const state = await validateRun(ctx, {}, database.nextExecution());
    await applyPlanStep(ctx, state, state.plan.steps[0]!);
    await expect(applyPlanStep(ctx, state, state.plan.steps[1]!)).rejects.toMatchObject({
      name: 'MigrationError',
      file: '000002_add_author.up.sql',
      line: 3,
    });
    await expect(rollbackRun(ctx, state)).resolves.toEqual({ rolledBack: ['000001'] });
    await releaseRun(ctx, state);
    expect(await database.fingerprint()).toBe(database.emptyFingerprint);
    const history = await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
    expect(history.filter((row) => row.state === 'dirty')).toEqual([]);
  });
});

describe('a dbmate project', () => {
  it('runs from db/migrations with 14-digit versions, to a version and back to an empty schema', async () => {
    const ctx = await context('test/fixtures/dbmate/db/migrations', { layout: 'dbmate' });
    expect(ctx.migrations.layout).toBe('dbmate');
    expect(await run(ctx, { target: '20240215093000' })).toEqual(['up 20240101120000', 'up 20240215093000']);
    expect(await run(ctx, {})).toEqual(['up 20240301080000']);
    expect(await run(ctx, { target: '0' })).toEqual([
      'down 20240301080000',
      'down 20240215093000',
      'down 20240101120000',
    ]);
    expect(await database.fingerprint()).toBe(database.emptyFingerprint);
  });

  it('is read the same when its layout is detected', async () => {
    const detected = await loadMigrations('test/fixtures/dbmate/db/migrations');
    const dbmate = await loadMigrations('test/fixtures/dbmate/db/migrations', { layout: 'dbmate' });
    expect(detected.migrations).toEqual(dbmate.migrations);
  });
});

describe('a Flyway project', () => {
  it('applies versioned scripts from subdirectories, then the repeatable; re-applies the repeatable when it changes', async () => {
    const project = await database.copyOf('test/fixtures/flyway/inventory/sql');
    let ctx = await context(project);
    const input = { allowIrreversible: true };
    expect(await run(ctx, input)).toEqual(['up 1', 'up 1.1', 'up 2', 'up R__stock_levels']);
    expect(await run(ctx, input)).toEqual([]);

    await writeFile(
      join(project, 'R__stock_levels.sql'),
      'CREATE OR REPLACE VIEW inventory.stock_levels AS\nSELECT i.sku, i.name, coalesce(sum(s.quantity), 0) AS quantity, count(s.warehouse) AS warehouses\n  FROM inventory.items i\n  LEFT JOIN inventory.stock s ON s.item_id = i.id\n GROUP BY i.sku, i.name;\n',
    );
    ctx = await context(project);
    expect(await run(ctx, input)).toEqual(['up R__stock_levels']);
    const columns = await database.db.withConnection((conn) =>
      conn.query<{ name: string }>(
        "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'stock_levels' ORDER BY ordinal_position",
      ),
    );
    expect(columns.rows.map((row) => row.name)).toEqual(['sku', 'name', 'quantity', 'warehouses']);
    const history = await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
    const repeatable = ctx.migrations.migrations.find((m) => m.repeatable)!;
    expect(history.find((row) => row.version === 'R__stock_levels')).toMatchObject({
      state: 'applied',
      checksum: repeatable.checksum,
    });
    expect(await run(ctx, input)).toEqual([]);
    // Undoing versioned migrations leaves the repeatable alone.
    expect(await run(ctx, { target: '1.1' })).toEqual(['down 2']);
  });
});

describe('a Flyway project with a baseline migration', () => {
  const baselineSql =
    'CREATE SCHEMA inventory;\n\n' +
    'CREATE TABLE inventory.items (\n    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    sku  text NOT NULL UNIQUE,\n    name text NOT NULL\n);\n' +
    'CREATE TABLE inventory.stock (\n    item_id   bigint  NOT NULL REFERENCES inventory.items (id),\n    warehouse text    NOT NULL,\n' +
    '    quantity  integer NOT NULL DEFAULT 0 CHECK (quantity >= 0),\n    PRIMARY KEY (item_id, warehouse)\n);\n' +
    'CREATE INDEX items_name_idx ON inventory.items (name);\n';
  async function project(): Promise<string> {
    const path = await database.copyOf('test/fixtures/flyway/inventory/sql');
    await writeFile(join(path, 'B2__inventory.sql'), baselineSql);
    await writeFile(
      join(path, 'V3__add_price.sql'),
      'ALTER TABLE inventory.items ADD COLUMN price numeric;\n',
    );
    await writeFile(join(path, 'U3__add_price.sql'), 'ALTER TABLE inventory.items DROP COLUMN price;\n');
    return path;
  }
  const input = { allowIrreversible: true };

  it('on an empty database runs the baseline, then only the versioned migrations above it', async () => {
    const ctx = await context(await project());
    expect(await run(ctx, input)).toEqual(['up B2', 'up 3', 'up R__stock_levels']);
    expect(await run(ctx, input)).toEqual([]);
    const history = await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
    const baseline = ctx.migrations.migrations.find((m) => m.baselineOf === '2')!;
    expect(history.map((row) => row.version).sort()).toEqual(['3', 'B2', 'R__stock_levels']);
    expect(history.find((row) => row.version === 'B2')).toMatchObject({
      state: 'applied',
      checksum: baseline.checksum,
    });
    const status = await database.db.withConnection(async (conn) =>
      computeStatus(ctx.migrations, (await readRunHistory(conn, ctx)).entries),
    );
    expect(status.pending).toEqual([]);
    expect(status.currentVersion).toBe('3');
    expect(status.migrations.filter((m) => m.coveredBy === 'B2').map((m) => m.version)).toEqual([
      '1',
      '1.1',
      '2',
    ]);
    // What the baseline built has no undo: below it, only the backup can take the database back.
    expect(await run(ctx, { ...input, target: '2' })).toEqual(['down 3']);
    await expect(run(ctx, { ...input, target: '1.1' })).rejects.toThrow(
      'which the baseline migration B2 built in its place',
    );
  });

  it("keeps Flyway's table as Flyway writes it: the baseline is an SQL_BASELINE row of its version", async () => {
    const ctx = { ...(await context(await project())), adopt: { keepToolHistory: true } };
    expect(await run(ctx, input)).toEqual(['up B2', 'up 3', 'up R__stock_levels']);
    const rows = await database.db.withConnection((conn) =>
      conn.query<{ version: string | null; type: string; script: string }>(
        'SELECT version, type, script FROM public.flyway_schema_history ORDER BY installed_rank',
      ),
    );
    expect(rows.rows).toEqual([
      { version: '2', type: 'SQL_BASELINE', script: 'B2__inventory.sql' },
      { version: '3', type: 'SQL', script: 'V3__add_price.sql' },
      { version: null, type: 'SQL', script: 'R__stock_levels.sql' },
    ]);
    // Read back as Flyway's history alone (a database Flyway migrated): the baseline ran, nothing is due.
    await database.db.withConnection((conn) => conn.query('DELETE FROM stepmigrate.schema_history'));
    const imported = await database.db.withConnection(async (conn) =>
      computeStatus(ctx.migrations, (await readRunHistory(conn, ctx)).entries),
    );
    expect(imported.fresh).toBe(false);
    expect(imported.pending).toEqual([]);
    expect(imported.migrations.find((m) => m.version === 'B2')!.state).toBe('applied');
    expect(await run(ctx, input)).toEqual([]);
    await database.db.withConnection((conn) => conn.query('DROP TABLE public.flyway_schema_history'));
  });

  it('on a database with history ignores the baseline and applies the versioned migrations', async () => {
    const ctx = await context(await project());
    // A target below every baseline runs the versioned migrations, even on the empty database.
    expect(await run(ctx, { ...input, target: '1.1' })).toEqual(['up 1', 'up 1.1', 'up R__stock_levels']);
    expect(await run(ctx, input)).toEqual(['up 2', 'up 3']);
    const history = await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
    expect(history.some((row) => row.version === 'B2')).toBe(false);
    expect(await run(ctx, input)).toEqual([]);
  });
});
