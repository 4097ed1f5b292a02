// The `stepmigrate run` command as a user runs it: a process, its exit code, what it prints.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROJECT_ROOT } from '../../cli/local-runner/definition-cache.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type MigrationDirectory, migration, migrationDirectory } from '../support/engine.ts';

const exec = promisify(execFile);

let database: TestDatabase;
let migrations: MigrationDirectory;
let projectDir: string;

beforeAll(async () => {
  database = await createTestDatabase('run_command');
  projectDir = await mkdtemp(join(tmpdir(), 'stepmigrate-cli-'));
  migrations = await migrationDirectory({
    '0001_create_accounts.sql': migration({
      up: 'CREATE SCHEMA app;\nCREATE TABLE app.accounts (id bigint PRIMARY KEY, name text NOT NULL);',
      down: 'DROP TABLE app.accounts;\nDROP SCHEMA app;',
    }),
  });
});
afterAll(async () => {
  await migrations.remove();
  await rm(projectDir, { recursive: true, force: true });
  await database.drop();
});

/** Colour must be off because stdout is not a terminal, not because NO_COLOR says so. */
function withoutNoColor(): NodeJS.ProcessEnv {
  const { NO_COLOR: _ignored, ...env } = process.env;
  return env;
}

async function stepmigrate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      [
        join(PROJECT_ROOT, 'bin', 'stepmigrate.js'),
        ...args,
        '--migrations',
        migrations.path,
        '--database-url',
        database.url,
      ],
      { cwd: projectDir, env: withoutNoColor() },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('stepmigrate run', () => {
  it('prints a per-step timeline without colour when not on a terminal, and exits 0', async () => {
    const { code, stdout } = await stepmigrate('run');
    expect(code).toBe(0);
    // A step's time reads "NNN ms", or "N.N s" once it passes a second (a busy machine).
    const took = String.raw`(?:\d+ ms|\d+\.\d s)`;
    expect(stdout).toMatch(new RegExp(String.raw`✓ Validate\s+${took} {2}0 → 0001, 1 migration`));
    expect(stdout).toMatch(new RegExp(String.raw`✓ Apply 0001\s+${took} {2}create_accounts`));
    expect(stdout).toContain('succeeded: 0 → 0001');
    expect(stdout).not.toContain('\u001b[');
    expect(stdout).not.toContain(database.url);
  });

  it('prints only the execution output with --json, and a second run is a noop', async () => {
    const { code, stdout } = await stepmigrate('run', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'noop', fromVersion: '0001', toVersion: '0001' });
  });

  it('exits 2 on bad input, before running anything', async () => {
    const { code, stderr } = await stepmigrate('run', '--lock-timeout-ms', '0');
    expect(code).toBe(2);
    expect(stderr).toContain('lockTimeoutMs');
  });

  it('rolls back to a lower target with `rollback --to`', async () => {
    const { code, stdout } = await stepmigrate('rollback', '--to', '0', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      status: 'succeeded',
      fromVersion: '0001',
      toVersion: '0',
      rolledBack: ['0001'],
    });
  });

  it('refuses a rollback whose target is above the current version (exit 2)', async () => {
    const { code, stderr } = await stepmigrate('rollback', '--to', '0001');
    expect(code).toBe(2);
    expect(stderr).toContain('a rollback only goes down');
  });
});
