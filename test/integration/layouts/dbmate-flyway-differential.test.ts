// dbmate and Flyway projects deployed by their own tools' rules and by stepmigrate's workflow,
// compared with pg_dump -s:
// - dbmate (the real binary, from npm): every table in schema `app`, reached through the
//   connection's search_path (dbmate's `?search_path=app`, libpq's `options=-c search_path=app`
//   for stepmigrate), a transaction:false migration; then `dbmate rollback` twice;
// - Flyway (in no registry): versioned migrations without undo files, and placeholders from
//   flyway.conf, against the SQL with the placeholders substituted as Flyway's documentation
//   says, each migration in its own transaction; a rollback is refused, naming the missing undo file.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { run, skipReason, stepmigrate, useDifferentialCluster } from '../../support/layout-differential.ts';
import { runWorkflow } from '../../support/local-workflow.ts';

const DBMATE = path.resolve('node_modules/.bin/dbmate');
const missing = await skipReason('dbmate and Flyway differential tests', DBMATE);
const cluster = useDifferentialCluster(missing === undefined);
const suite = missing ? describe.skip : describe;
const temporary: string[] = [];
afterAll(() => Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true }))));

async function project(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'layout-'));
  temporary.push(root);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
  return root;
}

function withQuery(url: string, query: Record<string, string>): string {
  const parsed = new URL(url);
  for (const [key, value] of Object.entries(query)) parsed.searchParams.set(key, value);
  return parsed.toString();
}

suite('dbmate and Flyway: the same schema as the tool', () => {
  it('dbmate: a schema reached through search_path, up and two rollbacks', async () => {
    const dir = await project(DBMATE_PROJECT);
    const [theirs, ours] = await Promise.all([cluster.database('dbmate'), cluster.database('stepmigrate')]);
    const dbmate = (...args: string[]) =>
      run(DBMATE, [
        '--url',
        withQuery(theirs, { sslmode: 'disable', search_path: 'app' }),
        '--migrations-dir',
        dir,
        '--no-dump-schema',
        ...args,
      ]);
    const oursUrl = withQuery(ours, { options: '-c search_path=app' });
    await cluster.exec(ours, 'CREATE SCHEMA app');
    // dbmate's template leaves a down section empty where nothing can be undone (a new enum value).
    await Promise.all([dbmate('up'), stepmigrate(oursUrl, dir, { allowIrreversible: true }, 'dbmate')]);
    const deployed = await cluster.schema(theirs);
    expect(deployed).toContain('CREATE TABLE app.accounts');
    expect(await cluster.schema(ours)).toBe(deployed);

    await dbmate('rollback');
    await dbmate('rollback');
    const versions = Object.keys(DBMATE_PROJECT)
      .map((name) => name.split('_')[0]!)
      .sort();
    await stepmigrate(oursUrl, dir, { target: versions.at(-3) }, 'dbmate');
    const rolledBack = await cluster.schema(theirs);
    expect(rolledBack).not.toBe(deployed);
    expect(await cluster.schema(ours)).toBe(rolledBack);
  });

  it('Flyway: placeholders from flyway.conf and no undo files; a rollback is refused naming the undo file', async () => {
    const dir = await project(FLYWAY_PROJECT);
    const [theirs, ours] = await Promise.all([cluster.database('flyway'), cluster.database('stepmigrate')]);
    await flywayMigrate(theirs, dir);
    await stepmigrate(ours, dir, { allowIrreversible: true });
    const deployed = await cluster.schema(theirs);
    expect(deployed).toContain('CREATE TABLE inventory.items');
    expect(deployed).toContain('reporting');
    expect(await cluster.schema(ours)).toBe(deployed);

    const refused = await runWorkflow({ databaseUrl: ours, migrationsDir: dir, input: { target: '1' } });
    expect(refused.exitCode).toBe(2);
    expect(JSON.stringify(refused.output)).toContain('has no undo file (U2_1__purge.sql)');
    expect(await cluster.schema(ours)).toBe(deployed);
  });
});

/**
 * Flyway's migrate, by its documentation: versioned migrations in version order, then
 * repeatables by description; each in one transaction; `${name}` replaced by
 * flyway.placeholders.<name> (names case-insensitive) and `${flyway:defaultSchema}` by the
 * first of flyway.schemas.
 */
async function flywayMigrate(url: string, dir: string): Promise<void> {
  const conf = await readFile(path.join(dir, 'flyway.conf'), 'utf8');
  const values = new Map<string, string>();
  for (const line of conf.split('\n')) {
    const placeholder = /^flyway\.placeholders\.([^=]+)=(.*)$/.exec(line.trim());
    if (placeholder) values.set(placeholder[1]!.toLowerCase(), placeholder[2]!);
    const schemas = /^flyway\.schemas=([^,]+)/.exec(line.trim());
    if (schemas) values.set('flyway:defaultschema', schemas[1]!);
  }
  const substitute = (sql: string) =>
    sql.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      const value = values.get(name.toLowerCase());
      if (value === undefined) throw new Error(`no value for placeholder ${name}`);
      return value;
    });
  const files = (await readdir(path.join(dir, 'sql'), { recursive: true }))
    .filter((name) => /(^|\/)(V|R)[^/]*\.sql$/.test(name))
    .map((name) => ({ name, base: path.basename(name) }));
  const version = (base: string) => base.slice(1, base.indexOf('__')).split(/[._]/).map(Number);
  const byVersion = (a: { base: string }, b: { base: string }) => {
    const [x, y] = [version(a.base), version(b.base)];
    for (let i = 0; i < Math.max(x.length, y.length); i++)
      if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  };
  const versioned = files.filter((f) => f.base.startsWith('V')).sort(byVersion);
  const repeatable = files
    .filter((f) => f.base.startsWith('R__'))
    .sort((a, b) => a.base.localeCompare(b.base));
  await cluster.session(url, async (exec) => {
    for (const file of [...versioned, ...repeatable]) {
      const sql = substitute(await readFile(path.join(dir, 'sql', file.name), 'utf8'));
      await exec(`BEGIN;\n${sql}\nCOMMIT;`);
    }
  });
}

const DBMATE_PROJECT: Record<string, string> = {
  '20240105090000_create_accounts.sql': `-- migrate:up
CREATE TYPE plan AS ENUM ('free', 'team');
CREATE TABLE accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE,
  plan plan NOT NULL DEFAULT 'free'
);

-- migrate:down
DROP TABLE accounts;
DROP TYPE plan;
`,
  '20240105091500_create_projects.sql': `-- migrate:up
CREATE TABLE projects (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE projects;
`,
  '20240212101010_index_projects.sql': `-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY projects_account_idx ON projects (account_id);

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY projects_account_idx;
`,
  '20240301120000_project_counts.sql': `-- migrate:up
CREATE FUNCTION project_count(account bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT count(*) FROM app.projects WHERE account_id = account
$$;
CREATE VIEW account_overview AS
  SELECT a.id, a.email, project_count(a.id) AS projects FROM accounts a;

-- migrate:down
DROP VIEW account_overview;
DROP FUNCTION project_count(bigint);
`,
  '20240402080000_plan_enterprise.sql': `-- migrate:up
ALTER TYPE plan ADD VALUE 'enterprise';

-- migrate:down
`,
  '20240510143000_projects_archived.sql': `-- migrate:up
ALTER TABLE projects ADD COLUMN archived_at timestamptz;
COMMENT ON COLUMN projects.archived_at IS 'set when a project is archived';

-- migrate:down
ALTER TABLE projects DROP COLUMN archived_at;
`,
  '20240601000000_audit.sql': `-- migrate:up
CREATE TABLE audit_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id bigint REFERENCES projects (id) ON DELETE SET NULL,
  payload jsonb NOT NULL DEFAULT '{}'
);

-- migrate:down
DROP TABLE audit_events;
`,
};

const FLYWAY_PROJECT: Record<string, string> = {
  'flyway.conf': [
    '# Inventory service',
    'flyway.url=jdbc:postgresql://localhost:5432/inventory',
    'flyway.schemas=inventory',
    'flyway.locations=filesystem:sql',
    'flyway.placeholders.readerRole=reporting',
    'flyway.placeholders.retention_days=30',
    '',
  ].join('\n'),
  'sql/release-1/V1__create_schema.sql': `CREATE SCHEMA IF NOT EXISTS \${flyway:defaultSchema};
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\${readerRole}') THEN CREATE ROLE \${readerRole} NOLOGIN; END IF;
END $$;
GRANT USAGE ON SCHEMA \${flyway:defaultSchema} TO \${ReaderRole};
`,
  'sql/release-1/V1_1__create_stock.sql': `CREATE TABLE \${flyway:defaultSchema}.items (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sku text NOT NULL UNIQUE,
  name text NOT NULL
);
CREATE TABLE \${flyway:defaultSchema}.stock (
  item_id bigint NOT NULL REFERENCES \${flyway:defaultSchema}.items (id),
  quantity integer NOT NULL CHECK (quantity >= 0),
  PRIMARY KEY (item_id)
);
GRANT SELECT ON \${flyway:defaultSchema}.items, \${flyway:defaultSchema}.stock TO \${readerRole};
`,
  'sql/release-2/V2__movements.sql': `CREATE TABLE \${flyway:defaultSchema}.movements (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  item_id bigint NOT NULL REFERENCES \${flyway:defaultSchema}.items (id),
  delta integer NOT NULL,
  moved_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE \${flyway:defaultSchema}.movements IS 'kept \${retention_days} days';
`,
  'sql/release-2/V2_1__purge.sql': `CREATE FUNCTION \${flyway:defaultSchema}.purge_movements() RETURNS bigint LANGUAGE sql AS $$
  WITH gone AS (DELETE FROM inventory.movements WHERE moved_at < now() - interval '\${retention_days} days' RETURNING 1)
  SELECT count(*) FROM gone
$$;
`,
  'sql/R__stock_levels.sql': `CREATE OR REPLACE VIEW \${flyway:defaultSchema}.stock_levels AS
  SELECT i.sku, i.name, s.quantity FROM \${flyway:defaultSchema}.items i JOIN \${flyway:defaultSchema}.stock s ON s.item_id = i.id;
GRANT SELECT ON \${flyway:defaultSchema}.stock_levels TO \${readerRole};
`,
};
