// Where the readers of another tool's bookkeeping look, as that tool's own configuration says:
// flyway.conf (Java properties) for Flyway's table, sqitch.conf (git-config) for Sqitch's registry.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { readFlyway } from '../../../../lambdas/engine/adopt/flyway-history.ts';
import { readGolangMigrate } from '../../../../lambdas/engine/adopt/schema-migrations.ts';
import { readSqitchRegistry } from '../../../../lambdas/engine/adopt/sqitch-registry.ts';
import type { LayoutName } from '../../../../lambdas/engine/model.ts';
import type { SqlConnection } from '../../../../lambdas/ports.ts';

/** A connection on which no table exists, recording the parameters of every query. */
function emptyDatabase(): { conn: SqlConnection; params: unknown[][] } {
  const params: unknown[][] = [];
  const conn = {
    query: async (_sql: string, values: readonly unknown[] = []) => {
      params.push([...values]);
      return { rows: [], rowCount: 0 };
    },
  } as unknown as SqlConnection;
  return { conn, params };
}

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function project(file: string, text: string, layout: LayoutName) {
  dir = await mkdtemp(join(tmpdir(), 'stepmigrate-tool-config-'));
  await writeFile(join(dir, file), text);
  return { directory: dir, layout, migrations: [] };
}

describe('the table the old tool kept its history in, from its configuration', () => {
  it("Flyway: flyway.table and the first of flyway.schemas, in any of Java properties' forms", async () => {
    const set = await project(
      'flyway.conf',
      '# ops\nflyway.table: history\nflyway.schemas = ops , other\nflyway.url=jdbc:postgresql://db/x\n',
      'flyway',
    );
    const { conn, params } = emptyDatabase();
    expect(await readFlyway({ conn, set, settings: {} })).toBeNull();
    expect(params).toEqual([['ops', 'history']]);
  });

  it('Flyway: flyway.defaultSchema wins over flyway.schemas; stepmigrate.json wins over both', async () => {
    const set = await project('flyway.conf', 'flyway.schemas=ops\nflyway.defaultSchema=app\n', 'flyway');
    const { conn, params } = emptyDatabase();
    expect(await readFlyway({ conn, set, settings: {} })).toBeNull();
    expect(await readFlyway({ conn, set, settings: { table: 'x.t' } })).toBeNull();
    expect(params).toEqual([
      ['app', 'flyway_schema_history'],
      ['x', 't'],
    ]);
  });

  it('Sqitch: the registry of [engine "pg"], quoted or with a comment after it', async () => {
    const set = await project(
      'sqitch.conf',
      '[core]\n\tengine = pg\n[engine "pg"]\n\tregistry = "ops_registry" ; moved\n',
      'sqitch',
    );
    const { conn, params } = emptyDatabase();
    expect(await readSqitchRegistry({ conn, set, settings: {} })).toBeNull();
    expect(await readSqitchRegistry({ conn, set, settings: { sqitchRegistry: 'reg' } })).toBeNull();
    expect(params).toEqual([
      ['ops_registry', 'changes'],
      ['reg', 'changes'],
    ]);
  });
});

describe('finding the table', () => {
  it("reads the columns of the table once, where it is in the connection's schema", async () => {
    const queries: string[] = [];
    const conn = {
      query: async (sql: string, values: readonly unknown[] = []) => {
        queries.push(sql.trim().split(/\s+/).slice(0, 3).join(' '));
        // The lookup: the connection's schema, the table's columns there, the schemas that have one.
        if (sql.includes('current_schema()') && values[0] === 'schema_migrations') {
          const row = {
            schema: 'public',
            columns: ['version', 'dirty'],
            types: ['text', 'text'],
            elsewhere: ['public'],
          };
          return { rows: [row], rowCount: 1 };
        }
        return { rows: [], rowCount: 0 };
      },
    } as unknown as SqlConnection;
    const set = { directory: '.', layout: 'golang-migrate' as const, migrations: [] };
    expect(await readGolangMigrate({ conn, set, settings: {} })).toEqual({
      tool: 'golang-migrate',
      source: '"public"."schema_migrations"',
      applied: [],
    });
    // One lookup (its columns come with it), then the table's rows.
    expect(queries.filter((q) => q.startsWith('WITH here AS'))).toHaveLength(1);
    expect(queries.filter((q) => q.startsWith('SELECT a.attname'))).toHaveLength(0);
    expect(queries).toHaveLength(2);
  });
});

describe("Sqitch's project", () => {
  it("is the %project of the plan where sqitch.conf's plan_file puts it", async () => {
    const set = await project(
      'sqitch.conf',
      '[core]\n\tengine = pg\n\tplan_file = db/sqitch.plan\n',
      'sqitch',
    );
    await mkdir(join(set.directory, 'db'));
    await writeFile(join(set.directory, 'db', 'sqitch.plan'), '%syntax-version=1.0.0\n%project=ledger\n\n');
    const projects: unknown[] = [];
    const conn = {
      query: async (sql: string, values: readonly unknown[] = []) => {
        if (sql.includes('pg_attribute'))
          return { rows: [{ column_name: 'change', data_type: 'text' }], rowCount: 1 };
        if (sql.includes('WHERE project = $1')) projects.push(values[0]);
        return { rows: [], rowCount: 0 };
      },
    } as unknown as SqlConnection;
    expect(await readSqitchRegistry({ conn, set, settings: {} })).toEqual({
      tool: 'sqitch',
      source: '"sqitch".changes',
      applied: [],
    });
    expect(projects).toEqual(['ledger']);
  });
});
