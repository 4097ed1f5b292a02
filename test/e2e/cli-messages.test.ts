// What the CLI says, run as a user runs it (its own process): each error once, at the line
// and column of the statement that failed; no ✓ after a ✗; under --json exactly one JSON
// document with an error object whatever went wrong; exit codes as DESIGN §1.5 lists them;
// a wrong migrations folder refused by name, never renamed.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type CliResult, runCli } from '../support/cli-process.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { migration } from '../support/engine.ts';
import { seedDefinitionCache } from '../support/seed-definition.ts';

let database: TestDatabase;
let root: string;

async function project(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(root, name);
  await mkdir(join(dir, 'migrations'), { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, 'migrations', file), text);
  return dir;
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** Exactly one JSON document on stdout, whatever the exit code. */
function onlyJson(result: CliResult): { status?: string; error?: Record<string, unknown> } {
  return JSON.parse(result.stdout) as { status?: string; error?: Record<string, unknown> };
}

beforeAll(async () => {
  database = await createTestDatabase('cli_messages');
  root = await mkdtemp(join(tmpdir(), 'stepmigrate-messages-'));
  // One project root above every project folder: they share .stepmigrate/, so the workflow
  // definition is synthesized once, not once per project.
  await writeFile(join(root, 'stepmigrate.json'), '{}\n');
  await seedDefinitionCache(root);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await database.drop();
});

describe('errors in migrations', () => {
  it('name the failing statement’s own line, once, and no step is ✓ after its ✗', async () => {
    const dir = await project('positions', {
      // line 1 marker, 2 CREATE, 3 INSERT, 4 the failing SELECT
      '0001_bad_division.sql': migration({
        up: 'CREATE TABLE public.ledger (id int);\nINSERT INTO public.ledger VALUES (1);\nSELECT 1 / (SELECT count(*) - 1 FROM public.ledger);',
        down: 'DROP TABLE public.ledger;',
      }),
    });
    // One after the other: two runs at once would meet each other's lease.
    const human = await runCli(dir, ['run', '--database-url', database.url]);
    const json = await runCli(dir, ['run', '--database-url', database.url, '--json']);
    for (const result of [human, json]) expect(result.code).toBe(1);
    const output = `${human.stdout}${human.stderr}`;
    expect(occurrences(output, 'division by zero')).toBe(1);
    expect(occurrences(output, '0001_bad_division.sql:4:1')).toBe(1);
    expect(output).not.toMatch(/✓ Apply 0001/);
    expect(onlyJson(json).error).toMatchObject({ name: 'MigrationError', line: 4, column: 1 });
  });

  it('a failing verify names its line; the step is ✗ only', async () => {
    const dir = await project('verify', {
      '0001_create_pairs.sql': migration({
        up: 'CREATE TABLE public.pairs (id int);',
        down: 'DROP TABLE public.pairs;',
        // the verify marker is line 7: line 9 is the failing statement
        verify: 'SELECT id FROM public.pairs WHERE false;\nSELECT 1 / 0;',
      }),
    });
    const result = await runCli(dir, ['run', '--database-url', database.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('0001_create_pairs.sql:9:1: division by zero');
    expect(result.stdout).toMatch(/✗ Verify/);
    expect(result.stdout).not.toMatch(/✓ Verify/);
    expect(occurrences(`${result.stdout}${result.stderr}`, 'division by zero')).toBe(1);
  });

  it('a syntax error is said once, with its place once, and no internal class name', async () => {
    const dir = await project('syntax', {
      '0001_typo.sql': migration({ up: 'CREATE TABLE t (id int);\nSELECT * FORM t;', down: 'DROP TABLE t;' }),
    });
    const [plain, json] = await Promise.all([
      runCli(dir, ['plan', '--database-url', database.url]),
      runCli(dir, ['plan', '--database-url', database.url, '--json']),
    ]);
    expect(plain.code).toBe(2);
    expect(plain.stderr.trim()).toBe(
      'stepmigrate: InputError: 0001_typo.sql:3:10: syntax error at or near "FORM"',
    );
    expect(plain.stderr).not.toContain('SqlSyntaxDetails');
    expect(json.code).toBe(2);
    expect(onlyJson(json).error).toMatchObject({ name: 'InputError', line: 3, column: 10 });
  });
});

describe('check on a Sqitch project', () => {
  it('names each change once', async () => {
    const shop = join(process.cwd(), 'test', 'fixtures', 'sqitch', 'shop');
    const result = await runCli(root, ['check', '--migrations', shop, '--database-url', database.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/re-applied {2}order_total\.2 {2}\d+ ms/);
    expect(result.stdout).not.toMatch(/appschema_appschema|order_total\.2_order_total/);
  });
});

describe('--json', () => {
  it('prints one document with an error object when lint, plan or status fail', async () => {
    const dir = await project('json', {
      '0001_drop.sql': migration({
        up: 'CREATE TABLE a (id int);\nDROP TABLE b;',
        down: 'CREATE TABLE b (id int);',
      }),
    });
    const results = await Promise.all([
      runCli(dir, ['lint', '--json']),
      runCli(dir, ['status', '--json', '--database-url', 'postgres://u:secret@localhost:99999/x']),
      runCli(dir, ['plan', '--json', '--database-url', 'postgres://u:secret@127.0.0.1:1/x']),
      runCli(dir, ['repair', '--release-lease', '--json']),
      runCli(dir, ['run', '--json', '--database-url', database.url]),
    ]);
    expect(results.map((r) => [r.code, onlyJson(r).error?.name])).toEqual([
      [2, 'LintError'],
      [2, 'InputError'],
      [2, 'PreflightError'],
      [64, 'UsageError'],
      [2, 'LintError'],
    ]);
    // The refused run's plan lists the findings themselves, not only the message.
    const run = JSON.parse(results[4]!.stdout) as {
      plan: { findings: Array<{ rule: string; line: number }> };
    };
    const lint = JSON.parse(results[0]!.stdout) as { findings: Array<{ rule: string; line: number }> };
    expect(run.plan.findings.map((f) => f.rule).sort()).toEqual(lint.findings.map((f) => f.rule).sort());
    expect(run.plan.findings.length).toBeGreaterThan(0);
    for (const result of results) expect(`${result.stdout}${result.stderr}`).not.toContain('secret');
  });
});

describe('exit codes and input', () => {
  it('usage errors are 64, bad URLs are refused with what to fix, and --version answers', async () => {
    const dir = await project('usage', {
      '0001_t.sql': migration({ up: 'CREATE TABLE t (id int);', down: 'DROP TABLE t;' }),
    });
    const previous = process.env.DATABASE_URL;
    process.env.DATABASE_URL = 'garbage'; // read by the children as they start
    const [noReason, garbage, version, rollbackHelp, rollbackTarget] = await Promise.all([
      runCli(dir, ['repair', '0001', '--mark', 'applied']),
      runCli(dir, ['status']),
      runCli(dir, ['--version']),
      runCli(dir, ['rollback', '--help']),
      runCli(dir, ['rollback', '--to', '0', '--target', '0001']),
    ]).finally(() => {
      if (previous === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = previous;
    });
    expect(noReason.code).toBe(64);
    expect(noReason.stderr).toContain("required option '--reason <text>' not specified");
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain(
      'DATABASE_URL is not a usable PostgreSQL URL (garbage): it is not a URL',
    );
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    expect(rollbackHelp.stdout).toContain('--to <version>');
    expect(rollbackHelp.stdout).not.toContain('--target');
    expect(rollbackTarget.code).toBe(64);
  });
});

describe('a wrong migrations folder', () => {
  it('is refused by name at run and status, and --accept-checksum never renames', async () => {
    const right = await project('right', {
      '0001_create_users.sql': migration({ up: 'CREATE TABLE users (id int);', down: 'DROP TABLE users;' }),
    });
    const wrong = await project('wrong', {
      '0001_create_customers.sql': migration({
        up: 'CREATE TABLE customers (id int);',
        down: 'DROP TABLE customers;',
      }),
    });
    const named = await createTestDatabase('wrong_folder');
    try {
      const applied = await runCli(right, ['run', '--database-url', named.url, '--json']);
      expect(onlyJson(applied).status).toBe('succeeded');
      const [run, status, accept] = await Promise.all([
        runCli(wrong, ['run', '--database-url', named.url, '--json']),
        runCli(wrong, ['status', '--database-url', named.url]),
        runCli(wrong, [
          'repair',
          '0001',
          '--accept-checksum',
          '--reason',
          'looks fine',
          '--database-url',
          named.url,
        ]),
      ]);
      const message =
        'this database was migrated from a different set: 0001 is create_users there, create_customers here';
      expect(run.code).toBe(2);
      expect(String(onlyJson(run).error?.message)).toContain(message);
      expect(status.stdout).toContain(message);
      expect(accept.code).toBe(2);
      expect(accept.stderr).toContain('--accept-checksum never renames');
      const { rows } = await named.db.withConnection((conn) =>
        conn.query<{ name: string }>('SELECT name FROM stepmigrate.schema_history'),
      );
      expect(rows).toEqual([{ name: 'create_users' }]);
    } finally {
      await named.drop();
    }
  });
});
