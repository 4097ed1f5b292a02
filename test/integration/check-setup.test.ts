// `check --setup`: a project whose migrations need a schema, a role and a search_path on the
// database runs its check on a scratch database prepared by the setup file; roles, which
// belong to the whole server, are created once, left alone when they exist, and dropped
// after the check when the setup created them.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { checkCommand } from '../../cli/commands/check.ts';
import { testAdminUrl } from '../support/database.ts';
import { migration, migrationDirectory } from '../support/engine.ts';

const role = `check_reader_${process.pid}`;
const setupSql = `CREATE SCHEMA app;\nCREATE ROLE ${role} NOLOGIN;\nSET search_path TO app, public;\n`;
const files = {
  '0001_create_widgets.sql': migration({
    up: `CREATE TABLE widgets (id bigint PRIMARY KEY);\nGRANT SELECT ON widgets TO ${role};`,
    down: 'DROP TABLE widgets;',
    verify: 'SELECT id FROM app.widgets WHERE false;',
  }),
};

async function asAdmin<T = unknown>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: testAdminUrl() });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}
const roleExists = async () => (await asAdmin(`SELECT 1 FROM pg_roles WHERE rolname = '${role}'`)).length > 0;

afterAll(() => asAdmin(`DROP ROLE IF EXISTS ${role}`));

async function check(projectDir: string, setup?: string) {
  const lines: string[] = [];
  const sink = {
    out: (line: string) => lines.push(line),
    err: (line: string) => lines.push(line),
    colour: false,
  };
  const code = await checkCommand(
    { migrations: join(projectDir, 'migrations'), databaseUrl: testAdminUrl(), setup },
    sink,
  ).catch((error: Error) => error);
  return { code, output: lines.join('\n') };
}

async function project(config?: unknown) {
  const directory = await migrationDirectory();
  await directory.write({ 'setup.sql': setupSql });
  await mkdir(join(directory.path, 'migrations'));
  for (const [name, text] of Object.entries(files))
    await writeFile(join(directory.path, 'migrations', name), text);
  if (config) await writeFile(join(directory.path, 'stepmigrate.json'), JSON.stringify(config));
  return directory;
}

describe('check --setup', () => {
  it('is needed by this project, prepares the scratch database, and drops the role it created', async () => {
    const directory = await project();
    try {
      const without = await check(directory.path);
      expect(without.code).toMatchObject({
        name: 'MigrationError',
        message: expect.stringContaining(`role "${role}" does not exist`),
      });

      const withSetup = await check(directory.path, 'setup.sql');
      expect(withSetup.code).toBe(0);
      expect(withSetup.output).toContain('check passed: 1 migrations');
      expect(await roleExists()).toBe(false);
    } finally {
      await directory.remove();
    }
  });

  it('leaves a role that already exists alone, so repeated checks pass; the stepmigrate.json key works too', async () => {
    const directory = await project({ check: { setup: 'setup.sql' } });
    try {
      await asAdmin(`CREATE ROLE ${role} NOLOGIN`);
      for (let i = 0; i < 2; i++) {
        const result = await check(directory.path);
        expect(result.code).toBe(0);
        expect(result.output).toContain(`roles already on the server, left as they are: ${role}`);
      }
      expect(await roleExists()).toBe(true);
    } finally {
      await asAdmin(`DROP ROLE IF EXISTS ${role}`);
      await directory.remove();
    }
  });

  it('names the setup file and line of a failing statement', async () => {
    const directory = await project();
    try {
      await writeFile(
        join(directory.path, 'broken.sql'),
        'CREATE SCHEMA app;\nCREATE EXTENSION no_such_extension;\n',
      );
      const result = await check(directory.path, 'broken.sql');
      expect(result.code).toMatchObject({
        name: 'InputError',
        message: expect.stringContaining('broken.sql:2:1 failed'),
      });
    } finally {
      await directory.remove();
    }
  });
});
