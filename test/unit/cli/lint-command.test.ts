// Runs `stepmigrate lint` against temporary migration directories and reads what a user sees.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { lintCommand } from '../../../cli/commands/lint.ts';
import { githubAnnotation } from '../../../cli/lint-output.ts';
import { bufferSink } from '../../../cli/sink.ts';
import { ExitCode } from '../../../lambdas/engine/errors.ts';

const ADD_FK = [
  '-- migrate:up',
  'ALTER TABLE app.projects ADD CONSTRAINT projects_owner_fk FOREIGN KEY (owner_id) REFERENCES app.users (id);',
  '-- migrate:down',
  'ALTER TABLE app.projects DROP CONSTRAINT projects_owner_fk;',
  '',
].join('\n');

const ADD_COLUMN = [
  '-- migrate:up',
  'ALTER TABLE app.users ADD COLUMN bio text;',
  '-- migrate:down',
  'ALTER TABLE app.users DROP COLUMN bio;',
  '',
].join('\n');

describe('stepmigrate lint', () => {
  let root: string;
  const options = { migrations: 'migrations' };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'stepmigrate-lint-'));
    await mkdir(join(root, 'migrations'));
  });

  afterEach(() => rm(root, { recursive: true, force: true }));

  it('prints file:line:col, severity, rule, why and the fix, and exits 2 on an error', async () => {
    await writeFile(join(root, 'migrations', '0001_add_fk.sql'), ADD_FK);
    const sink = bufferSink();

    const code = await lintCommand([], options, sink, root);

    expect(code).toBe(ExitCode.refused);
    expect(sink.stdout[0]).toMatch(
      /^migrations\/0001_add_fk\.sql:2:30 {2}error {4}adding-foreign-key-constraint {2}.*SHARE ROW EXCLUSIVE/,
    );
    expect(sink.stdout[1]).toMatch(/^ {4}fix: .*NOT VALID/);
    // As in Squawk, a validated foreign key is also constraint-missing-not-valid.
    expect(sink.stdout.at(-1)).toBe('2 errors, 0 warnings in 1 migration');
  });

  it('exits 0 when there are only warnings or nothing', async () => {
    await writeFile(join(root, 'migrations', '0001_add_bio.sql'), ADD_COLUMN);
    const sink = bufferSink();
    expect(await lintCommand([], options, sink, root)).toBe(ExitCode.ok);
    expect(sink.stdout).toEqual(['no problems in 1 migration']);
  });

  it('honours stepmigrate.json in the project directory', async () => {
    await writeFile(join(root, 'migrations', '0001_add_fk.sql'), ADD_FK);
    await writeFile(
      join(root, 'stepmigrate.json'),
      '{ "lint": { "rules": { "adding-foreign-key-constraint": "warning", "constraint-missing-not-valid": "off" } } }',
    );
    const sink = bufferSink();
    expect(await lintCommand([], options, sink, root)).toBe(ExitCode.ok);
    expect(sink.stdout.at(-1)).toBe('0 errors, 1 warning in 1 migration');
  });

  it('lints only the files named, with earlier migrations as context', async () => {
    await writeFile(join(root, 'migrations', '0001_add_fk.sql'), ADD_FK);
    await writeFile(join(root, 'migrations', '0002_add_bio.sql'), ADD_COLUMN);
    const sink = bufferSink();
    expect(await lintCommand(['migrations/0002_add_bio.sql'], options, sink, root)).toBe(ExitCode.ok);
    expect(sink.stdout).toEqual(['no problems in 1 migration']);
  });

  it('reports a syntax error as file:line:col with PostgreSQL message, exit 2', async () => {
    await writeFile(
      join(root, 'migrations', '0001_broken.sql'),
      '-- migrate:up\nSELECT 1;\nALTER TABLE app.users ADD COLUMN;\n-- migrate:down\nSELECT 1;\n',
    );
    const sink = bufferSink();
    expect(await lintCommand([], options, sink, root)).toBe(ExitCode.refused);
    expect(sink.stdout[0]).toBe(
      'migrations/0001_broken.sql:3:33  error    syntax-error  PostgreSQL cannot parse this statement: syntax error at or near ";"',
    );
  });

  it('lints every migration when some have syntax errors, and reports each error', async () => {
    const broken = '-- migrate:up\nCREATE TABLE app.x (id bigint;\n-- migrate:down\nSELECT 1;\n';
    await writeFile(join(root, 'migrations', '0001_broken.sql'), broken);
    await writeFile(join(root, 'migrations', '0002_add_fk.sql'), ADD_FK);
    await writeFile(join(root, 'migrations', '0003_broken_too.sql'), broken.replace('CREATE', 'CRATE'));
    const sink = bufferSink();
    expect(await lintCommand([], { ...options, json: true }, sink, root)).toBe(ExitCode.refused);
    const { findings, summary } = JSON.parse(sink.stdout.join('\n'));
    expect(findings.map((f: { file: string; rule: string }) => [f.file, f.rule])).toEqual([
      ['migrations/0001_broken.sql', 'syntax-error'],
      ['migrations/0002_add_fk.sql', 'adding-foreign-key-constraint'],
      ['migrations/0002_add_fk.sql', 'constraint-missing-not-valid'],
      ['migrations/0003_broken_too.sql', 'syntax-error'],
    ]);
    expect(summary.migrations).toBe(3);
  });

  it('lists every rule with its severity and the old ids it replaces', async () => {
    const sink = bufferSink();
    expect(await lintCommand([], { ...options, listRules: true, json: true }, sink, root)).toBe(ExitCode.ok);
    const rules = JSON.parse(sink.stdout.join('\n')) as { id: string; severity: string; aliases: string[] }[];
    expect(rules.find((rule) => rule.id === 'prefer-timestamp-tz')).toMatchObject({
      severity: 'warning',
      aliases: ['prefer-timestamptz'],
    });
    expect(rules.find((rule) => rule.id === 'require-table-schema')).toMatchObject({ severity: 'off' });
  });

  it('prints GitHub Actions annotations with --format github', async () => {
    await writeFile(join(root, 'migrations', '0001_add_fk.sql'), ADD_FK);
    const sink = bufferSink();
    await lintCommand([], { ...options, format: 'github' }, sink, root);
    expect(sink.stdout).toHaveLength(2);
    expect(sink.stdout[0]).toMatch(
      /^::error file=migrations\/0001_add_fk\.sql,line=2,col=30,title=adding-foreign-key-constraint::.*%0Afix: /,
    );
    expect(sink.stdout[1]).toMatch(/title=constraint-missing-not-valid::/);
  });

  it('prints findings and a summary as JSON with --json', async () => {
    await writeFile(join(root, 'migrations', '0001_add_fk.sql'), ADD_FK);
    const sink = bufferSink();
    await lintCommand([], { ...options, json: true }, sink, root);
    const output = JSON.parse(sink.stdout.join('\n'));
    expect(output.summary).toEqual({ error: 2, warning: 0, info: 0, migrations: 1 });
    expect(output.findings[0]).toMatchObject({
      rule: 'adding-foreign-key-constraint',
      migration: '0001',
      line: 2,
    });
  });
});

describe('githubAnnotation', () => {
  it('escapes newlines, percent signs and property separators', () => {
    const line = githubAnnotation({
      rule: 'r',
      severity: 'warning',
      message: '100% sure\nreally',
      file: 'a,b:c.sql',
      line: 3,
      column: 4,
    });
    expect(line).toBe('::warning file=a%2Cb%3Ac.sql,line=3,col=4,title=r::100%25 sure%0Areally');
  });

  it('turns an allowed finding into a notice that keeps the reason', () => {
    const line = githubAnnotation({
      rule: 'r',
      severity: 'info',
      message: 'm',
      allowedBecause: 'table is empty',
    });
    expect(line).toBe('::notice file=,line=1,col=1,title=r::m%0Aallowed: table is empty');
  });
});
