// Adopting databases that Flyway or golang-migrate migrated: their bookkeeping rows are
// written exactly as those tools write them (test/support/tool-bookkeeping.ts says where the
// shapes come from), then stepmigrate takes over: the history is imported, nothing is applied
// again, checksums are checked, and a new migration applies and rolls back.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { readStatus } from '../../cli/commands/status.ts';
import { flywayChecksum } from '../../lambdas/engine/adopt/flyway-checksum.ts';
import { readToolHistory } from '../../lambdas/engine/adopt/import-history.ts';
import { checkMigrations } from '../../lambdas/engine/check.ts';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { historyExists, readHistory } from '../../lambdas/engine/history.ts';
import type { LoadOptions } from '../../lambdas/engine/loader/load.ts';
import { validateRun } from '../../lambdas/engine/steps.ts';
import { engineContext, runSteps } from '../support/engine.ts';
import { useProjectDatabase } from '../support/project-database.ts';
import { migrateLikeFlyway, migrateLikeGolangMigrate } from '../support/tool-bookkeeping.ts';

const database = useProjectDatabase(
  'adopt_flyway_golang',
  `DROP SCHEMA IF EXISTS shop, ops, stepmigrate CASCADE;
   DROP TABLE IF EXISTS public.flyway_schema_history, public.schema_migrations, public.accounts, public.releases CASCADE`,
);

function context(directory: string, options: LoadOptions = {}): Promise<EngineContext> {
  return engineContext(database.db, directory, options);
}

function run(ctx: EngineContext, input: Record<string, unknown>): Promise<string[]> {
  return runSteps(ctx, input, database.nextExecution());
}

const query = <Row = Record<string, unknown>>(sql: string) =>
  database.db.withConnection(async (conn) => (await conn.query<Row>(sql)).rows);
const history = () => database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));

const flywayApplied = [
  { script: '"shop"', type: 'SCHEMA' as const, version: '0', description: '<< Flyway Schema Creation >>' },
  { script: 'V1__create_orders.sql' },
  { script: 'V1.1__add_order_total.sql' },
  { script: 'R__order_totals.sql' },
];

async function flywayProject(): Promise<string> {
  return join(await database.copyOf('test/fixtures/adopt/flyway'), 'sql');
}

describe('a database Flyway migrated', () => {
  it('is adopted: its history imported at the first write, nothing applied again, a new migration applied and rolled back', async () => {
    const project = await flywayProject();
    await database.db.withConnection((conn) => migrateLikeFlyway(conn, project, flywayApplied.slice(1)));
    const ctx = await context(project);

    expect(await run(ctx, { dryRun: true })).toEqual([]);
    expect(await database.db.withConnection((conn) => historyExists(conn, 'stepmigrate'))).toBe(false);

    await writeFile(
      join(project, 'V2__add_order_status.sql'),
      "ALTER TABLE shop.orders ADD COLUMN status text NOT NULL DEFAULT 'new';\n",
    );
    await writeFile(
      join(project, 'U2__add_order_status.sql'),
      'ALTER TABLE shop.orders DROP COLUMN status;\n',
    );
    const adopted = await context(project);
    expect(await run(adopted, {})).toEqual(['up 2']);
    const rows = await history();
    expect(rows.map((r) => [r.version, r.state, r.executionId]).sort()).toEqual([
      ['1', 'applied', 'imported-from-flyway'],
      ['1.1', 'applied', 'imported-from-flyway'],
      ['2', 'applied', expect.stringMatching(/^exec-/)],
      ['R__order_totals', 'applied', 'imported-from-flyway'],
    ]);
    expect(rows.find((r) => r.version === '1')?.appliedBy).toBe(
      (await query<{ u: string }>('SELECT current_user AS u'))[0]!.u,
    );

    expect(await run(adopted, { target: '1.1' })).toEqual(['down 2']);
    expect(
      await query(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'status'",
      ),
    ).toEqual([]);
    expect(await run(adopted, {})).toEqual(['up 2']);
  });

  it('keeps flyway_schema_history up to date when asked, as Flyway writes it, and status shows the import', async () => {
    const project = await flywayProject();
    await database.db.withConnection((conn) => migrateLikeFlyway(conn, project, flywayApplied.slice(1)));
    const status = await readStatus(await context(project));
    expect(status.migrations.map((m) => [m.version, m.state])).toEqual([
      ['1', 'applied'],
      ['1.1', 'applied'],
      ['R__order_totals', 'applied'],
    ]);
    const up = "ALTER TABLE shop.orders ADD COLUMN status text NOT NULL DEFAULT 'new';\n";
    const undo = 'ALTER TABLE shop.orders DROP COLUMN status;\n';
    await writeFile(join(project, 'V2__add_order_status.sql'), up);
    await writeFile(join(project, 'U2__add_order_status.sql'), undo);
    const ctx = { ...(await context(project)), adopt: { keepToolHistory: true } };
    expect(await run(ctx, {})).toEqual(['up 2']);
    expect(await run(ctx, { target: '1.1' })).toEqual(['down 2']);
    const rows = await query(
      'SELECT installed_rank, version, description, type, script, checksum, success FROM flyway_schema_history WHERE installed_rank > 3 ORDER BY installed_rank',
    );
    expect(rows).toEqual([
      {
        installed_rank: 4,
        version: '2',
        description: 'add order status',
        type: 'SQL',
        script: 'V2__add_order_status.sql',
        checksum: flywayChecksum(up),
        success: true,
      },
      {
        installed_rank: 5,
        version: '2',
        description: 'add order status',
        type: 'UNDO_SQL',
        script: 'U2__add_order_status.sql',
        checksum: flywayChecksum(undo),
        success: true,
      },
    ]);
    // Read back as Flyway reads it: 2 is undone, the rest applied.
    const seen = await database.db.withConnection((conn) => readToolHistory(conn, ctx));
    expect(seen?.applied.map((r) => r.version)).toEqual(['1', '1.1', 'R__order_totals']);
  });

  it('keeps up to date the history table flyway.conf names, not another of the same name', async () => {
    const project = await flywayProject();
    await query('CREATE SCHEMA ops');
    await database.db.withConnection((conn) =>
      migrateLikeFlyway(conn, project, flywayApplied.slice(1), 'ops'),
    );
    // An empty table of the same name on the search path, which Flyway does not use here.
    await database.db.withConnection((conn) => migrateLikeFlyway(conn, project, [], 'public'));
    await writeFile(join(project, 'flyway.conf'), 'flyway.schemas=ops\n');
    await writeFile(
      join(project, 'V2__add_order_status.sql'),
      "ALTER TABLE shop.orders ADD COLUMN status text NOT NULL DEFAULT 'new';\n",
    );
    await writeFile(
      join(project, 'U2__add_order_status.sql'),
      'ALTER TABLE shop.orders DROP COLUMN status;\n',
    );
    const ctx = { ...(await context(project)), adopt: { keepToolHistory: true } };
    expect(await run(ctx, {})).toEqual(['up 2']);
    expect(
      await query('SELECT version, script FROM ops.flyway_schema_history WHERE installed_rank > 3'),
    ).toEqual([{ version: '2', script: 'V2__add_order_status.sql' }]);
    expect(await query('SELECT version FROM public.flyway_schema_history')).toEqual([]);
  });

  it('finds the history table in another schema (Flyway run with flyway.schemas=ops), or takes it from stepmigrate.json', async () => {
    const project = await flywayProject();
    await query('CREATE SCHEMA ops');
    await database.db.withConnection((conn) =>
      migrateLikeFlyway(conn, project, flywayApplied.slice(1), 'ops'),
    );
    expect((await readStatus(await context(project))).pending).toEqual([]);
    await query('CREATE TABLE public.flyway_schema_history (installed_rank int)');
    const ambiguous = { ...(await context(project)), adopt: {} };
    // One in the connection's own schema is the one read; this one is not Flyway's, and that is said.
    await expect(readStatus(ambiguous)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('"public"."flyway_schema_history" is not Flyway\'s history table'),
    });
    const configured = { ...(await context(project)), adopt: { table: 'ops.flyway_schema_history' } };
    expect((await readStatus(configured)).pending).toEqual([]);
    await query('DROP SCHEMA ops CASCADE');
  });

  it('refuses a script changed since Flyway applied it, showing both checksums', async () => {
    const project = await flywayProject();
    await database.db.withConnection((conn) => migrateLikeFlyway(conn, project, flywayApplied));
    const recorded = (
      await query<{ checksum: number }>("SELECT checksum FROM flyway_schema_history WHERE version = '1.1'")
    )[0]!.checksum;
    const tampered = 'ALTER TABLE shop.orders ADD COLUMN total_cents numeric NOT NULL DEFAULT 0;\n';
    await writeFile(join(project, 'V1.1__add_order_total.sql'), tampered);
    const error = await validateRun(await context(project), {}, 'exec-x').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ChecksumMismatchError', migration: '1.1' });
    expect((error as Error).message).toContain(`Flyway recorded checksum ${recorded}`);
    expect((error as Error).message).toContain(`the file's checksum is ${flywayChecksum(tampered)}`);

    // The fix the message offers works: record the new checksum, and the run goes ahead.
    const fix = /`(UPDATE [^`]+)`/.exec((error as Error).message)![1]!;
    await query(fix);
    expect(await run(await context(project), {})).toEqual([]);
  });

  it('does not mistake line endings or a BOM for a change (the fixture has CRLF and a BOM)', async () => {
    const project = await flywayProject();
    await database.db.withConnection((conn) => migrateLikeFlyway(conn, project, flywayApplied));
    expect(await run(await context(project), {})).toEqual([]);
  });

  it('reads baseline and undo rows as Flyway does, and refuses a failed migration', async () => {
    const project = await flywayProject();
    // V1 is covered by the baseline: its schema was there before Flyway, which never ran it.
    await query(
      'CREATE SCHEMA shop; CREATE TABLE shop.orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer text NOT NULL, placed_at timestamptz NOT NULL DEFAULT now())',
    );
    await database.db.withConnection((conn) =>
      migrateLikeFlyway(conn, project, [
        {
          script: '<< Flyway Baseline >>',
          type: 'BASELINE',
          version: '1',
          description: '<< Flyway Baseline >>',
        },
        { script: 'V1.1__add_order_total.sql' },
        {
          script: 'U1.1__add_order_total.sql',
          type: 'UNDO_SQL',
          version: '1.1',
          description: 'add order total',
        },
      ]),
    );
    const plan = await validateRun(
      await context(project),
      { dryRun: true, allowIrreversible: true },
      'exec-dry',
    );
    expect(plan.plan.steps.map((s) => s.version)).toEqual(['1.1', 'R__order_totals']);

    await query(
      "INSERT INTO flyway_schema_history VALUES (9, '1.2', 'broken', 'SQL', 'V1.2__broken.sql', 1, 'ci', now(), 3, false)",
    );
    const failed = await validateRun(await context(project), {}, 'exec-y').catch((e: unknown) => e);
    expect(failed).toMatchObject({ name: 'DirtyStateError', migration: '1.2' });
    // Once the database is fixed by hand, the statement the message gives lets the run go on.
    const clear = /`(DELETE FROM [^`]+)`/.exec((failed as Error).message)![1]!;
    expect(clear).toBe('DELETE FROM "public"."flyway_schema_history" WHERE installed_rank = 9');
    await query(clear);
    await expect(
      validateRun(await context(project), { dryRun: true, allowIrreversible: true }, 'exec-z'),
    ).resolves.toBeDefined();
  });
});

const accounts = 'test/fixtures/adopt/golang-migrate/accounts';
const accountsUp = ['000001_create_accounts.up.sql', '000002_add_accounts_email.up.sql'];

describe('a database golang-migrate migrated', () => {
  it('is adopted: versions up to schema_migrations.version count as applied; a new one applies and rolls back', async () => {
    const project = await database.copyOf(accounts);
    await database.db.withConnection((conn) => migrateLikeGolangMigrate(conn, project, accountsUp, 2));
    await writeFile(
      join(project, '000003_add_accounts_closed_at.up.sql'),
      'ALTER TABLE accounts ADD COLUMN closed_at timestamptz;\n',
    );
    await writeFile(
      join(project, '000003_add_accounts_closed_at.down.sql'),
      'ALTER TABLE accounts DROP COLUMN closed_at;\n',
    );
    const ctx = await context(project);
    expect(await run(ctx, {})).toEqual(['up 000003']);
    expect((await history()).map((r) => [r.version, r.executionId]).sort()).toEqual([
      ['000001', 'imported-from-golang-migrate'],
      ['000002', 'imported-from-golang-migrate'],
      ['000003', expect.stringMatching(/^exec-/)],
    ]);
    expect(await run(ctx, { target: '2' })).toEqual(['down 000003']);
    // Not asked to keep golang-migrate's table: it still says what golang-migrate last did.
    expect(await query('SELECT version::int, dirty FROM schema_migrations')).toEqual([
      { version: 2, dirty: false },
    ]);
  });

  it('refuses a dirty version with DirtyStateError, and the command it suggests clears it', async () => {
    const project = await database.copyOf(accounts);
    await database.db.withConnection((conn) => migrateLikeGolangMigrate(conn, project, accountsUp, 2, true));
    const error = await validateRun(await context(project), {}, 'exec-z').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DirtyStateError', migration: '2' });
    const clear = /`(UPDATE [^`]+ SET dirty = false)`/.exec((error as Error).message)![1]!;
    await query(clear);
    expect(await run(await context(project), {})).toEqual([]);
  });

  it("runs a project whose migrations use golang-migrate's own table, keeping it as golang-migrate does", async () => {
    const project = await database.copyOf(accounts);
    await writeFile(
      join(project, '000003_create_releases.up.sql'),
      'CREATE TABLE releases (version bigint NOT NULL, dirty boolean NOT NULL);\n',
    );
    await writeFile(join(project, '000003_create_releases.down.sql'), 'DROP TABLE releases;\n');
    await writeFile(
      join(project, '000004_record_release.up.sql'),
      'INSERT INTO releases SELECT version, dirty FROM schema_migrations;\n',
    );
    await writeFile(
      join(project, '000004_record_release.down.sql'),
      'DELETE FROM releases WHERE version = 4;\n',
    );
    const ctx = await context(project);
    expect(await run(ctx, {})).toHaveLength(4);
    // Inside migration 4 golang-migrate's table says "4, dirty", as golang-migrate has it.
    expect(await query('SELECT version::int, dirty FROM releases')).toEqual([{ version: 4, dirty: true }]);
    expect(await query('SELECT version::int, dirty FROM schema_migrations')).toEqual([
      { version: 4, dirty: false },
    ]);
    expect(await run(ctx, { target: '2' })).toEqual(['down 000004', 'down 000003']);
    expect(await query('SELECT version::int, dirty FROM schema_migrations')).toEqual([
      { version: 2, dirty: false },
    ]);
    expect(await run(ctx, { target: '0' })).toHaveLength(2);
    expect(await query('SELECT version FROM schema_migrations')).toEqual([]);

    // `check` runs it too: apply, verify, revert (schema compared, bookkeeping aside), apply again.
    await query('DROP SCHEMA stepmigrate CASCADE; DROP TABLE schema_migrations');
    await expect(checkMigrations(ctx)).resolves.toMatchObject({ migrations: 4 });
  });
});
