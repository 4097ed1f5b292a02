// A Sqitch project through the CLI and the synthesized workflow: `run --target @tag`,
// `run`, and `rollback --to <change>` / `--to 0`, as a user types them.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROJECT_ROOT } from '../../cli/local-runner/definition-cache.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const exec = promisify(execFile);
const SHOP = join(PROJECT_ROOT, 'test/fixtures/sqitch/shop');

let database: TestDatabase;
let projectDir: string;

beforeAll(async () => {
  database = await createTestDatabase('sqitch_run_command');
  projectDir = await mkdtemp(join(tmpdir(), 'stepmigrate-sqitch-cli-'));
});
afterAll(async () => {
  await rm(projectDir, { recursive: true, force: true });
  await database.drop();
});

async function stepmigrate(...args: string[]): Promise<{ code: number; output: Record<string, unknown> }> {
  const argv = [join(PROJECT_ROOT, 'bin', 'stepmigrate.js'), ...args, '--json'];
  const options = ['--migrations', SHOP, '--database-url', database.url];
  try {
    const { stdout } = await exec(process.execPath, [...argv, ...options], { cwd: projectDir });
    return { code: 0, output: JSON.parse(stdout) };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: { stdout: failed.stdout, stderr: failed.stderr } };
  }
}

describe('a Sqitch project through stepmigrate run and rollback', () => {
  it('runs to a tag, then to the end, then rolls back to a change and to nothing', async () => {
    expect(await stepmigrate('run', '--target', '@v1.0')).toMatchObject({
      code: 0,
      output: {
        status: 'succeeded',
        fromVersion: '0',
        toVersion: 'order_total',
        applied: ['appschema', 'users', 'products', 'orders', 'order_total'],
      },
    });
    expect(await stepmigrate('run')).toMatchObject({
      code: 0,
      output: {
        status: 'succeeded',
        toVersion: 'product_search',
        applied: ['user_email_index', 'order_status', 'order_total.2', 'product_search'],
      },
    });
    expect(await stepmigrate('rollback', '--to', 'order_status')).toMatchObject({
      code: 0,
      output: {
        status: 'succeeded',
        toVersion: 'order_status',
        rolledBack: ['product_search', 'order_total.2'],
      },
    });
    expect(await stepmigrate('rollback', '--to', '0')).toMatchObject({
      code: 0,
      output: { status: 'succeeded', toVersion: '0' },
    });
  });

  it('refuses an unknown tag with exit 2, listing the tags', async () => {
    const { code, output } = await stepmigrate('run', '--target', '@v9');
    expect(code).toBe(2);
    expect(String(output.stderr) + String(output.stdout)).toContain('a tag (@v1.0, @v1.1)');
  });
});
