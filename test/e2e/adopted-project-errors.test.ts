// Mixed-up projects of other tools are refused by `stepmigrate plan` before it connects:
// the database URL points at a port nothing listens on, and the answer is still the
// loader's, naming file and line, with exit code 2.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import { PROJECT_ROOT } from '../../cli/local-runner/definition-cache.ts';

const exec = promisify(execFile);
const NOWHERE = 'postgres://nobody:secret@127.0.0.1:1/none';
const directories: string[] = [];

afterAll(() => Promise.all(directories.map((path) => rm(path, { recursive: true, force: true }))));

async function copyOf(fixture: string): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'stepmigrate-mixed-up-'));
  directories.push(path);
  await cp(fixture, path, { recursive: true });
  return path;
}

async function plan(migrations: string): Promise<{ code: number; output: string }> {
  const args = [join(PROJECT_ROOT, 'bin', 'stepmigrate.js'), 'plan', '--migrations', migrations];
  try {
    const { stdout, stderr } = await exec(process.execPath, [...args, '--database-url', NOWHERE]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('mixed-up projects are refused before any connection', () => {
  it('a Sqitch plan naming a change with no deploy script, and a dependency cycle', async () => {
    const project = await copyOf('test/fixtures/sqitch/shop');
    await unlink(join(project, 'deploy/orders.sql'));
    const planText = 'sqitch.plan';
    const text = await readFile(join(project, planText), 'utf8');
    await writeFile(
      join(project, planText),
      text.replace(/^users \[appschema\]/m, 'users [appschema order_status]'),
    );
    const { code, output } = await plan(project);
    expect(code).toBe(2);
    expect(output).toContain(
      'sqitch.plan:6: change "users" is part of a dependency cycle: users → order_status → orders → users',
    );
    expect(output).toContain(
      'sqitch.plan:8: change "orders" has no deploy script: deploy/orders.sql is missing',
    );
    expect(output).not.toContain('ECONNREFUSED');
  });

  it('a Flyway project with two scripts for the same version', async () => {
    const project = await copyOf('test/fixtures/flyway/inventory/sql');
    await writeFile(join(project, 'release-2/V1.0__again.sql'), 'SELECT 1;\n');
    const { code, output } = await plan(project);
    expect(code).toBe(2);
    expect(output).toMatch(/V1(\.0)? is also used by release-[12]\/V1(\.0)?__\w+\.sql/);
    expect(output).not.toContain('ECONNREFUSED');
  });
});
