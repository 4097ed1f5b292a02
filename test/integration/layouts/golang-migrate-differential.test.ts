// A golang-migrate project of 101 up/down pairs (tables, enums and their new values, indexes
// built and dropped CONCURRENTLY, BEGIN/COMMIT-wrapped files, a view and functions), deployed
// by stepmigrate's workflow and by golang-migrate's own way of running files — each file
// sent as ONE multi-statement exec over the simple-query protocol, as its postgres driver
// does (the binary is in no registry) — then partly migrated down by both. The schemas must
// be identical. One down file does not parse: golang-migrate never reads it on the way up,
// and stepmigrate deploys too once that finding is allowed.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { skipReason, stepmigrate, useDifferentialCluster } from '../../support/layout-differential.ts';

const missing = await skipReason('golang-migrate differential test');
const cluster = useDifferentialCluster(missing === undefined);
const suite = missing ? describe.skip : describe;
const temporary: string[] = [];
afterAll(() => Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true }))));

const PAIRS = 101;
const BROKEN_DOWN = 7;

/** golang-migrate's `up`: every up file in version order, each as one exec on its one connection. */
async function migrateUp(url: string, dir: string): Promise<void> {
  await cluster.session(url, async (exec) => {
    for (const file of await filesOf(dir, 'up')) await exec(await readFile(path.join(dir, file), 'utf8'));
  });
}

/** golang-migrate's `down N`: the down files of the newest N versions, newest first. */
async function migrateDown(url: string, dir: string, steps: number): Promise<void> {
  const downs = (await filesOf(dir, 'down')).reverse().slice(0, steps);
  await cluster.session(url, async (exec) => {
    for (const file of downs) await exec(await readFile(path.join(dir, file), 'utf8'));
  });
}

async function filesOf(dir: string, direction: 'up' | 'down'): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith(`.${direction}.sql`));
  return names.sort((a, b) => Number(a.split('_')[0]) - Number(b.split('_')[0]));
}

suite('golang-migrate: the same schema as golang-migrate', () => {
  it('deploys 101 pairs, then migrates 15 down, to the same pg_dump -s', async () => {
    const dir = await writeProject();
    const [theirs, ours] = await Promise.all([
      cluster.database('golang_migrate'),
      cluster.database('stepmigrate'),
    ]);
    await Promise.all([migrateUp(theirs, dir), stepmigrate(ours, dir)]);
    const deployed = await cluster.schema(theirs);
    expect(deployed).toContain('CREATE TYPE shop.order_state AS ENUM');
    expect(await cluster.schema(ours)).toBe(deployed);

    await Promise.all([migrateDown(theirs, dir, 15), stepmigrate(ours, dir, { target: String(PAIRS - 15) })]);
    const down = await cluster.schema(theirs);
    expect(down).not.toBe(deployed);
    expect(await cluster.schema(ours)).toBe(down);
  });
});

/** Writes the project: a few shapes of change, repeated over numbered tables. */
async function writeProject(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'golang-migrate-'));
  temporary.push(dir);
  const pairs: Array<[string, string, string]> = [
    ['create_schema', 'CREATE SCHEMA shop;', 'DROP SCHEMA shop;'],
    [
      'create_order_state',
      "CREATE TYPE shop.order_state AS ENUM ('new', 'paid');",
      'DROP TYPE shop.order_state;',
    ],
    [
      'create_orders',
      "BEGIN;\nCREATE TABLE shop.orders (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  state shop.order_state NOT NULL DEFAULT 'new',\n  placed_at timestamptz NOT NULL DEFAULT now()\n);\nCOMMENT ON TABLE shop.orders IS 'Orders; see docs/orders.md';\nCOMMIT;",
      'BEGIN;\nDROP TABLE shop.orders;\nCOMMIT;',
    ],
  ];
  let tables = 0;
  while (pairs.length < PAIRS) {
    const n = pairs.length;
    const shape = n % 6;
    if (shape === 0 || tables === 0) {
      tables += 1;
      pairs.push([
        `create_items_${tables}`,
        `CREATE TABLE shop.items_${tables} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  order_id bigint NOT NULL REFERENCES shop.orders (id),\n  label text NOT NULL\n);`,
        `DROP TABLE shop.items_${tables};`,
      ]);
    } else if (shape === 1) {
      pairs.push([
        `index_items_${tables}_order`,
        `CREATE INDEX CONCURRENTLY items_${tables}_order_idx ON shop.items_${tables} (order_id);`,
        `DROP INDEX CONCURRENTLY shop.items_${tables}_order_idx;`,
      ]);
    } else if (shape === 2) {
      pairs.push([
        `add_items_${tables}_note`,
        `ALTER TABLE shop.items_${tables} ADD COLUMN note text;\nCOMMENT ON COLUMN shop.items_${tables}.note IS 'free text';`,
        `ALTER TABLE shop.items_${tables} DROP COLUMN note;`,
      ]);
    } else if (shape === 3) {
      // ALTER TYPE … ADD VALUE runs in golang-migrate's implicit transaction; it cannot be undone,
      // so the down file says so (a comment only is a valid, empty down file).
      pairs.push([
        `order_state_${n}`,
        `ALTER TYPE shop.order_state ADD VALUE IF NOT EXISTS 'state_${n}';`,
        `-- PostgreSQL cannot drop an enum value; state_${n} stays unused.\nSELECT 1;`,
      ]);
    } else if (shape === 4) {
      pairs.push([
        `items_${tables}_count`,
        `CREATE OR REPLACE FUNCTION shop.items_${tables}_count(o bigint) RETURNS bigint LANGUAGE sql STABLE AS $$\n  SELECT count(*) FROM shop.items_${tables} WHERE order_id = o;\n$$;`,
        `DROP FUNCTION shop.items_${tables}_count(bigint);`,
      ]);
    } else {
      pairs.push([
        `open_orders_view_${n}`,
        `CREATE OR REPLACE VIEW shop.open_orders AS\n  SELECT id, state, placed_at, ${n} AS revision FROM shop.orders WHERE state = 'new';`,
        n === 5
          ? 'DROP VIEW shop.open_orders;'
          : `CREATE OR REPLACE VIEW shop.open_orders AS\n  SELECT id, state, placed_at, ${n - 6} AS revision FROM shop.orders WHERE state = 'new';`,
      ]);
    }
  }
  for (const [index, [name, up, down]] of pairs.entries()) {
    const version = index + 1;
    await writeFile(path.join(dir, `${version}_${name}.up.sql`), `${up}\n`);
    const broken = version === BROKEN_DOWN;
    await writeFile(
      path.join(dir, `${version}_${name}.down.sql`),
      broken
        ? `-- lint:allow down-syntax-error never migrated down; restore from backup instead\nDROP TABEL oops;\n`
        : `${down}\n`,
    );
  }
  return dir;
}
