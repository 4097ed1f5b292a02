// The CLI compiled into dist/ (cli-build/build.js) behaves exactly like its TypeScript run
// through tsx: the same output and exit code for --help, --version, lint, status and a whole
// run, each side on its own database. The build is what `npm install` made, rebuilt here
// only when a source changed since.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildCli } from '../../cli-build/build.js';
import { COMPILED_DIR, chooseEntry, PROJECT_ROOT } from '../../cli-build/launch.js';
import { runCli } from '../support/cli-process.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { migration } from '../support/engine.ts';
import { seedDefinitionCache } from '../support/seed-definition.ts';

type Mode = 'compiled' | 'tsx';
const databases = {} as Record<Mode, TestDatabase>;
let projectDir: string;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function stepmigrate(mode: Mode, cwd: string, args: string[]): Promise<Outcome> {
  const { code, stdout, stderr } = await runCli(cwd, args, { STEPMIGRATE_LAUNCH: mode });
  return { code, stdout, stderr };
}

/** Each side's database name, execution id, clock times and durations differ; nothing else may. */
function comparable(outcome: Outcome, mode: Mode): Outcome {
  const normalise = (text: string) =>
    text
      .replaceAll(databases[mode]?.name ?? '\u0000', '<database>')
      .replace(/local-\d{8}T\d{6}Z-[0-9a-f]+/g, '<execution>')
      .replace(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?Z?/g, '<time>')
      .replace(/ +\d+(\.\d+)? (ms|s)\b/g, ' <duration>');

  return { code: outcome.code, stdout: normalise(outcome.stdout), stderr: normalise(outcome.stderr) };
}

async function bothWays(cwd: string, args: (mode: Mode) => string[]): Promise<Record<Mode, Outcome>> {
  const [compiled, tsx] = await Promise.all([
    stepmigrate('compiled', cwd, args('compiled')),
    stepmigrate('tsx', cwd, args('tsx')),
  ]);
  return { compiled: comparable(compiled, 'compiled'), tsx: comparable(tsx, 'tsx') };
}

beforeAll(async () => {
  if (!chooseEntry('main', 'cli/main.ts', { mode: 'auto' }).compiled) await buildCli();
  databases.compiled = await createTestDatabase('compiled_cli');
  databases.tsx = await createTestDatabase('tsx_cli');
  projectDir = await mkdtemp(join(tmpdir(), 'stepmigrate-compiled-'));
  await seedDefinitionCache(projectDir);
  await mkdir(join(projectDir, 'migrations'));
  await mkdir(join(projectDir, 'risky'));
  await writeFile(
    join(projectDir, 'migrations', '0001_create_notes.sql'),
    migration({
      up: 'CREATE SCHEMA app;\nCREATE TABLE app.notes (id bigint PRIMARY KEY, body text NOT NULL);',
      down: 'DROP TABLE app.notes;\nDROP SCHEMA app;',
      verify: 'SELECT id, body FROM app.notes WHERE false;',
    }),
  );
  await writeFile(
    join(projectDir, 'migrations', '0002_add_notes_author.sql'),
    migration({
      up: 'ALTER TABLE app.notes ADD COLUMN author text;',
      down: 'ALTER TABLE app.notes DROP COLUMN author;',
    }),
  );
  await writeFile(
    join(projectDir, 'risky', '0001_drop_notes.sql'),
    migration({ up: 'DROP TABLE app.notes;', down: 'CREATE TABLE app.notes (id bigint PRIMARY KEY);' }),
  );
});
afterAll(async () => {
  await rm(projectDir, { recursive: true, force: true });
  await Promise.all(Object.values(databases).map((database) => database.drop()));
});

describe('the compiled CLI against the TypeScript sources', () => {
  it('prints the same --help and --version, and lints with the same findings and exit code', async () => {
    const [help, version, lint] = await Promise.all([
      bothWays(PROJECT_ROOT, () => ['--help']),
      bothWays(PROJECT_ROOT, () => ['--version']),
      bothWays(projectDir, () => ['lint', '--migrations', 'risky']),
    ]);
    expect(help.compiled).toEqual(help.tsx);
    expect(help.compiled.stdout).toContain('Usage: stepmigrate');
    expect(version.compiled).toEqual(version.tsx);
    expect(lint.compiled).toEqual(lint.tsx);
    expect(lint.compiled.code).toBe(2);
  });

  it('runs the workflow and reports status the same way, each on its own database', async () => {
    const url = (mode: Mode) => ['--database-url', databases[mode].url];
    const run = await bothWays(projectDir, (mode) => ['run', ...url(mode)]);
    expect(run.compiled).toEqual(run.tsx);
    const compiledRun = run.compiled;
    expect(compiledRun.code).toBe(0);
    expect(compiledRun.stdout).toContain('succeeded: 0 → 0002');

    const status = await bothWays(projectDir, (mode) => ['status', ...url(mode)]);
    expect(status.compiled).toEqual(status.tsx);
    expect(status.compiled.stdout).toContain('0002  add_notes_author');
  });

  it('synthesizes the same workflow compiled as the sources do (aws-cdk-lib, infra paths)', async () => {
    const freshProject = await mkdtemp(join(tmpdir(), 'stepmigrate-compiled-synth-'));
    try {
      // Compiled, with no cached definition: a full synthesis through the compiled infra code;
      // through tsx, the definition the in-process (source) synthesis cached for projectDir.
      const [compiled, tsx] = await Promise.all([
        stepmigrate('compiled', freshProject, ['graph']),
        stepmigrate('tsx', projectDir, ['graph']),
      ]);
      expect(compiled).toEqual(tsx);
      expect(compiled.stdout).toContain('flowchart TD');
    } finally {
      await rm(freshProject, { recursive: true, force: true });
    }
  });

  it('leaves the AWS Lambda client and asl-validator out of the compiled local runner', async () => {
    const chunks = (await readdir(COMPILED_DIR)).filter((file) => file.endsWith('.js'));
    const imported = new Set<string>();
    for (const chunk of chunks) {
      const text = await readFile(join(COMPILED_DIR, chunk), 'utf8');
      for (const match of text.matchAll(/(?:from|import\()\s*"([^".][^"]*)"/g))
        imported.add(match[1] as string);
    }
    expect(imported).toContain('pg');
    for (const left of ['@aws-sdk/client-lambda', '@aws-sdk/credential-providers', 'asl-validator'])
      expect(imported).not.toContain(left);
    // Bundled, so that its imports of those point at cli-build/stubs/.
    expect(imported).not.toContain('aws-local-stepfunctions');
  });
});
