import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  diffSchemas,
  fingerprintHash,
  readSchema,
  type SchemaDescription,
} from '../../lambdas/engine/fingerprint.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let test: TestDatabase;

const baseSchema = `
  CREATE SCHEMA app;
  CREATE TABLE app.users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);
  CREATE TABLE app.orders (id serial PRIMARY KEY, user_id bigint, total numeric(10, 2) DEFAULT 0);
`;

beforeAll(async () => {
  test = await createTestDatabase('fingerprint');
  await run(baseSchema);
});

afterAll(async () => {
  await test?.drop();
});

function run(sql: string): Promise<unknown> {
  return test.db.withConnection((conn) => conn.query(sql));
}

function snapshot(excludeSchemas: string[] = ['stepmigrate']): Promise<SchemaDescription> {
  return test.db.withConnection((conn) => readSchema(conn, { excludeSchemas }));
}

interface ObjectCase {
  kind: string;
  create: string;
  drop: string;
  /** Every object the create statement adds, as diffSchemas names them. */
  objects: string[];
}

const objectCases: ObjectCase[] = [
  { kind: 'schema', create: 'CREATE SCHEMA extra', drop: 'DROP SCHEMA extra', objects: ['schema extra'] },
  {
    kind: 'extension',
    create: 'CREATE EXTENSION citext SCHEMA app',
    drop: 'DROP EXTENSION citext',
    objects: ['extension citext'],
  },
  {
    kind: 'table',
    create: 'CREATE TABLE app.notes (body text)',
    drop: 'DROP TABLE app.notes',
    objects: ['table app.notes', 'column app.notes.body'],
  },
  {
    kind: 'partitioned table with a partition',
    create: `CREATE TABLE app.events (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
      CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`,
    drop: 'DROP TABLE app.events',
    objects: [
      'table app.events_2026',
      'partitioned table app.events',
      'column app.events.at',
      'column app.events.id',
    ],
  },
  {
    kind: 'column',
    create: 'ALTER TABLE app.users ADD COLUMN nickname text',
    drop: 'ALTER TABLE app.users DROP COLUMN nickname',
    objects: ['column app.users.nickname'],
  },
  {
    kind: 'constraint',
    create: "ALTER TABLE app.users ADD CONSTRAINT users_email_check CHECK (email <> '')",
    drop: 'ALTER TABLE app.users DROP CONSTRAINT users_email_check',
    objects: ['constraint app.users.users_email_check'],
  },
  {
    kind: 'index',
    create: 'CREATE INDEX users_email_idx ON app.users (email)',
    drop: 'DROP INDEX app.users_email_idx',
    objects: ['index app.users_email_idx'],
  },
  {
    kind: 'sequence',
    create: 'CREATE SEQUENCE app.invoice_no START 1000',
    drop: 'DROP SEQUENCE app.invoice_no',
    objects: ['sequence app.invoice_no'],
  },
  {
    kind: 'view',
    create: 'CREATE VIEW app.user_emails AS SELECT email FROM app.users',
    drop: 'DROP VIEW app.user_emails',
    objects: ['view app.user_emails'],
  },
  {
    kind: 'materialized view',
    create:
      'CREATE MATERIALIZED VIEW app.order_totals AS SELECT user_id, sum(total) FROM app.orders GROUP BY 1',
    drop: 'DROP MATERIALIZED VIEW app.order_totals',
    objects: ['materialized view app.order_totals'],
  },
  {
    kind: 'function',
    create: 'CREATE FUNCTION app.add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a + b',
    drop: 'DROP FUNCTION app.add',
    objects: ['function app.add(a integer, b integer)'],
  },
  {
    kind: 'procedure',
    create: 'CREATE PROCEDURE app.purge() LANGUAGE sql AS $$ DELETE FROM app.orders $$',
    drop: 'DROP PROCEDURE app.purge',
    objects: ['procedure app.purge()'],
  },
  {
    kind: 'enum type',
    create: "CREATE TYPE app.mood AS ENUM ('sad', 'ok')",
    drop: 'DROP TYPE app.mood',
    objects: ['enum type app.mood'],
  },
  {
    kind: 'domain',
    create: "CREATE DOMAIN app.email AS text CHECK (VALUE LIKE '%@%')",
    drop: 'DROP DOMAIN app.email',
    objects: ['domain app.email'],
  },
  {
    kind: 'composite type',
    create: 'CREATE TYPE app.money_amount AS (amount numeric(12, 2), currency char(3))',
    drop: 'DROP TYPE app.money_amount',
    objects: ['composite type app.money_amount'],
  },
  {
    kind: 'trigger',
    create: `CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
      CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch()`,
    drop: 'DROP FUNCTION app.touch() CASCADE',
    objects: ['function app.touch()', 'trigger app.orders.orders_touch'],
  },
  {
    kind: 'row-level security policy',
    create: 'CREATE POLICY own_orders ON app.orders USING (user_id = 1)',
    drop: 'DROP POLICY own_orders ON app.orders',
    objects: ['policy app.orders.own_orders'],
  },
];

describe('every object kind is part of the fingerprint', () => {
  it.each(objectCases)(
    'creating and dropping: $kind changes the hash and is named',
    async ({ create, drop, objects }) => {
      const before = await snapshot();
      await run(create);
      const created = await snapshot();
      expect(fingerprintHash(created)).not.toBe(fingerprintHash(before));
      expect(diffSchemas(before, created).sort()).toEqual(objects.map((name) => `${name} added`).sort());

      await run(drop);
      const dropped = await snapshot();
      expect(diffSchemas(created, dropped).sort()).toEqual(objects.map((name) => `${name} missing`).sort());
      expect(fingerprintHash(dropped)).toBe(fingerprintHash(before));
    },
  );
});

describe('changes to an existing object', () => {
  async function changeOf(setup: string, change: string, teardown: string): Promise<string[]> {
    await run(setup);
    const before = await snapshot();
    await run(change);
    const after = await snapshot();
    await run(teardown);
    expect(fingerprintHash(after)).not.toBe(fingerprintHash(before));
    return diffSchemas(before, after);
  }

  it('a constraint validated after NOT VALID', async () => {
    const diff = await changeOf(
      'ALTER TABLE app.orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES app.users NOT VALID',
      'ALTER TABLE app.orders VALIDATE CONSTRAINT orders_user_fk',
      'ALTER TABLE app.orders DROP CONSTRAINT orders_user_fk',
    );
    expect(diff).toEqual(['constraint app.orders.orders_user_fk changed: NOT VALID → valid']);
  });

  it('a column type, nullability and default', async () => {
    const diff = await changeOf(
      'ALTER TABLE app.users ADD COLUMN nickname text',
      "ALTER TABLE app.users ALTER nickname TYPE varchar(20), ALTER nickname SET NOT NULL, ALTER nickname SET DEFAULT 'anon'",
      'ALTER TABLE app.users DROP COLUMN nickname',
    );
    expect(diff).toEqual([
      "column app.users.nickname changed: default none → 'anon'::character varying, nullable → NOT NULL, type text → character varying(20)",
    ]);
  });

  it('a partition re-attached with other bounds', async () => {
    const diff = await changeOf(
      `CREATE TABLE app.sales (at date NOT NULL) PARTITION BY RANGE (at);
       CREATE TABLE app.sales_q1 PARTITION OF app.sales FOR VALUES FROM ('2026-01-01') TO ('2026-04-01')`,
      `ALTER TABLE app.sales DETACH PARTITION app.sales_q1;
       ALTER TABLE app.sales ATTACH PARTITION app.sales_q1 FOR VALUES FROM ('2026-01-01') TO ('2026-07-01')`,
      'DROP TABLE app.sales',
    );
    expect(diff).toEqual([
      "table app.sales_q1 changed: partitionBound FOR VALUES FROM ('2026-01-01') TO ('2026-04-01') → FOR VALUES FROM ('2026-01-01') TO ('2026-07-01')",
    ]);
  });

  it('an enum label added', async () => {
    const diff = await changeOf(
      "CREATE TYPE app.status AS ENUM ('new', 'paid')",
      "ALTER TYPE app.status ADD VALUE 'shipped'",
      'DROP TYPE app.status',
    );
    expect(diff).toEqual(['enum type app.status changed: labels new, paid → new, paid, shipped']);
  });

  it('a function body', async () => {
    const diff = await changeOf(
      'CREATE FUNCTION app.answer() RETURNS int LANGUAGE sql RETURN 41',
      'CREATE OR REPLACE FUNCTION app.answer() RETURNS int LANGUAGE sql RETURN 42',
      'DROP FUNCTION app.answer',
    );
    expect(diff).toEqual(['function app.answer() changed: definition changed']);
  });

  it('an index left INVALID by a failed CREATE INDEX CONCURRENTLY, then rebuilt', async () => {
    await run("CREATE TABLE app.tags (name text); INSERT INTO app.tags VALUES ('a'), ('a')");
    try {
      await expect(run('CREATE UNIQUE INDEX CONCURRENTLY tags_name_idx ON app.tags (name)')).rejects.toThrow(
        /could not create unique index/,
      );
      const invalid = await snapshot();
      await run(
        'DELETE FROM app.tags WHERE ctid = (SELECT max(ctid) FROM app.tags); REINDEX INDEX app.tags_name_idx',
      );
      const valid = await snapshot();
      expect(diffSchemas(invalid, valid)).toEqual(['index app.tags_name_idx changed: INVALID → valid']);
    } finally {
      await run('DROP TABLE app.tags');
    }
  });
});

describe('what the fingerprint ignores', () => {
  it('data and sequence positions', async () => {
    const before = await snapshot();
    await run("INSERT INTO app.users (email) VALUES ('a@example.com'); SELECT nextval('app.orders_id_seq')");
    expect(fingerprintHash(await snapshot())).toBe(fingerprintHash(before));
  });

  it('the excluded history schema', async () => {
    const before = await snapshot();
    await run(
      'CREATE SCHEMA stepmigrate; CREATE TABLE stepmigrate.schema_history (version text PRIMARY KEY)',
    );
    const after = await snapshot();
    const unfiltered = await snapshot([]);
    await run('DROP SCHEMA stepmigrate CASCADE');
    expect(fingerprintHash(after)).toBe(fingerprintHash(before));
    expect(diffSchemas(before, unfiltered)).toContain('table stepmigrate.schema_history added');
  });

  it('object ids: the same DDL in two databases gives the same hash', async () => {
    const other = await createTestDatabase('fingerprint_twin');
    try {
      // Shift the OIDs of everything created afterwards.
      await other.db.withConnection((conn) => conn.query('CREATE TABLE churn (x int); DROP TABLE churn'));
      await other.db.withConnection((conn) => conn.query(baseSchema));
      const mine = await snapshot();
      const theirs = await other.db.withConnection((conn) =>
        readSchema(conn, { excludeSchemas: ['stepmigrate'] }),
      );
      expect(diffSchemas(mine, theirs)).toEqual([]);
      expect(fingerprintHash(theirs)).toBe(fingerprintHash(mine));
    } finally {
      await other.drop();
    }
  });
});
