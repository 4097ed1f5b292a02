// Sqitch projects deployed by the real sqitch (Debian's, with psql 15) and by stepmigrate's
// workflow, unchanged, with the default settings: the schemas must be identical after
// `sqitch deploy --verify`, and after a revert to a tag.
// Two projects: test/fixtures/sqitch/flipr, in the shape of Sqitch's own tutorial (syntax
// 1.0.0-b2, a role, schema flipr, tables and functions, two functions reworked after a tag,
// notes right after the e-mail), and one written here with many tags and reworks, a
// sqitch.conf that moves the scripts and sets psql variables, \set / \ir / :"var", and empty
// scripts.
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { debianBinDir } from '../../support/debian-postgres.ts';
import { type GeneratedProject, sqitchProject } from '../../support/generated-projects.ts';
import { run, skipReason, stepmigrate, useDifferentialCluster } from '../../support/layout-differential.ts';

const SQITCH = '/usr/bin/sqitch';
const missing = await skipReason('Sqitch differential tests', SQITCH);
const cluster = useDifferentialCluster(missing === undefined);
const suite = missing ? describe.skip : describe;
const temporary: string[] = [];
afterAll(() => Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true }))));

/** Runs sqitch in `dir` against `url`, with no user configuration of this machine. */
async function sqitch(dir: string, url: string, ...args: string[]): Promise<string> {
  const home = await mkdtemp(path.join(tmpdir(), 'sqitch-home-'));
  temporary.push(home);
  const target = `db:${url.replace(/^postgres(ql)?:/, 'pg:')}`;
  const { stdout } = await run(
    SQITCH,
    [...args, '--target', target, '--db-client', path.join(debianBinDir(), 'psql')],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        SQITCH_USER_CONFIG: path.join(home, 'none.conf'),
        SQITCH_FULLNAME: 'Differential Test',
        SQITCH_EMAIL: 'test@example.com',
        TZ: 'UTC',
      },
    },
  );
  return stdout;
}

/**
 * Deploys with both tools and compares; then reverts to each `stops` target (no Sqitch target:
 * everything) and compares again. Failures name the project.
 */
async function compare(
  label: string,
  project: string,
  stops: { sqitch?: string; stepmigrate: string }[],
): Promise<void> {
  try {
    const [theirs, ours] = await Promise.all([cluster.database('sqitch'), cluster.database('stepmigrate')]);
    // One tool after the other: a project's roles belong to the cluster both databases share,
    // and two deployments checking for a role at once would both try to create it.
    await sqitch(project, theirs, 'deploy', '--verify');
    await stepmigrate(ours, project);
    const deployed = await cluster.schema(theirs);
    expect(deployed).toContain('CREATE');
    expect(await cluster.schema(ours)).toBe(deployed);
    for (const stop of stops) {
      await sqitch(project, theirs, 'revert', '-y', ...(stop.sqitch ? ['--to', stop.sqitch] : []));
      await stepmigrate(ours, project, { target: stop.stepmigrate });
      const reverted = await cluster.schema(theirs);
      expect(reverted).not.toBe(deployed);
      expect(await cluster.schema(ours)).toBe(reverted);
    }
  } catch (error) {
    if (error instanceof Error) error.message = `${label}: ${error.message}`;
    throw error;
  }
}

suite('Sqitch projects: the same schema as sqitch deploy --verify', () => {
  // All at once, in one test: each tool mostly waits for psql and the server, and the
  // machine's two cores are better spent than on five projects in a row.
  it('flipr (the tutorial shape) runs unchanged with the default settings; so do a project with many tags, reworks, sqitch.conf directories and variables, psql commands and empty scripts, and generated projects (names, tags, reworks, BOM, CRLF, multibyte and quoted identifiers)', async () => {
    const flipr = await mkdtemp(path.join(tmpdir(), 'flipr-'));
    temporary.push(flipr);
    await cp('test/fixtures/sqitch/flipr', flipr, { recursive: true });
    const tagged = await writeTaggedProject();
    // Few generated runs: each is two real deployments and two reverts.
    const generated = await Promise.all(
      fc.sample(sqitchProject, { numRuns: 3, seed: 12 }).map(writeGenerated),
    );
    await Promise.all([
      compare('flipr', flipr, [{ sqitch: '@v1.0.0-dev2', stepmigrate: '@v1.0.0-dev2' }]),
      compare('many tags', tagged, [{ sqitch: '@r2', stepmigrate: '@r2' }]),
      ...generated.map((dir, index) => compare(`generated #${index + 1}`, dir, [{ stepmigrate: '0' }])),
    ]);
  });
});

async function writeGenerated(project: GeneratedProject): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'generated-sqitch-'));
  temporary.push(dir);
  for (const [name, text] of Object.entries(project.files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

const PLANNER = 'Rae Worker <rae@example.net>';
const stamp = (n: number) =>
  `2015-06-${String(1 + Math.floor(n / 24)).padStart(2, '0')}T${String(n % 24).padStart(2, '0')}:00:00Z`;

/**
 * Eight tags; the function `ledger.balance` and the view `ledger.summary` reworked after
 * several of them; scripts under db/ (top_dir) with reworked ones under db/old (reworked_dir),
 * the schema name from [deploy "variables"], a `\ir` include and `\set` with `:'var'`.
 */
async function writeTaggedProject(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'ledger-'));
  temporary.push(root);
  const files: Record<string, string> = {
    'sqitch.conf': [
      '[core]',
      '\tengine = pg',
      '\ttop_dir = db',
      '\treworked_dir = db/old',
      '[deploy "variables"]',
      '\tschema = ledger',
      '[revert "variables"]',
      '\tschema = ledger',
      '',
    ].join('\n'),
  };
  const plan = ['%syntax-version=1.0.0-b2', '%project=ledger', '', ''];
  let n = 0;
  const change = (
    name: string,
    deps: string[],
    deploy: string,
    revert: string,
    verify?: string,
    reworkedAt?: string,
  ) => {
    plan.push(`${name}${deps.length ? ` [${deps.join(' ')}]` : ''} ${stamp(n++)} ${PLANNER}#${name}`);
    const file = reworkedAt ? `${name}@${reworkedAt}.sql` : `${name}.sql`;
    const base = reworkedAt ? 'db/old' : 'db';
    files[`${base}/deploy/${file}`] = `-- Deploy ${name}\nBEGIN;\n${deploy}\nCOMMIT;\n`;
    files[`${base}/revert/${file}`] = `-- Revert ${name}\nBEGIN;\n${revert}\nCOMMIT;\n`;
    if (verify) files[`${base}/verify/${file}`] = `-- Verify ${name}\nBEGIN;\n${verify}\nROLLBACK;\n`;
  };
  const tag = (name: string) => plan.push(`@${name} ${stamp(n++)} ${PLANNER} # tag ${name}`, '');
  // psql leaves :"schema" alone inside dollar quotes, so function bodies name the schema.
  const balance = (version: number) =>
    `CREATE OR REPLACE FUNCTION :"schema".balance(acct bigint) RETURNS numeric LANGUAGE sql STABLE AS $$ SELECT coalesce(sum(amount), 0) * ${version} FROM ledger.entries WHERE account_id = acct $$;`;
  const summary = (columns: string) =>
    `CREATE OR REPLACE VIEW :"schema".summary AS SELECT ${columns} FROM :"schema".accounts a;`;

  change(
    'schema',
    [],
    'CREATE SCHEMA :"schema";',
    'DROP SCHEMA :"schema";',
    `SELECT 1/count(*) FROM pg_namespace WHERE nspname = :'schema';`,
  );
  change(
    'accounts',
    ['schema'],
    'CREATE TABLE :"schema".accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);',
    'DROP TABLE :"schema".accounts;',
  );
  change('entries', ['accounts'], '\\ir ../shared/entries.sql', 'DROP TABLE :"schema".entries;');
  files['db/shared/entries.sql'] =
    'CREATE TABLE :"schema".entries (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id bigint NOT NULL REFERENCES :"schema".accounts (id), amount numeric NOT NULL);\n';
  change('balance', ['entries'], balance(1), 'DROP FUNCTION :"schema".balance(bigint);', undefined, 'r1');
  change('summary', ['balance'], summary('a.id'), 'DROP VIEW :"schema".summary;', undefined, 'r3');
  tag('r1');
  change('balance', ['balance@r1'], balance(2), balance(1), undefined, 'r4');
  // Empty scripts, as Sqitch deploys them: comments only, and only BEGIN; COMMIT;.
  plan.push(`placeholder ${stamp(n++)} ${PLANNER} # nothing yet`);
  files['db/deploy/placeholder.sql'] = '-- Deploy placeholder\n-- nothing to do yet\n';
  files['db/revert/placeholder.sql'] = '-- Revert placeholder\nBEGIN;\n\nCOMMIT;\n';
  tag('r2');
  change(
    'entry_index',
    ['entries'],
    '-- lint:allow require-concurrent-index-creation the ledger is new in this release and still empty\n\\set ON_ERROR_STOP 1\n\\set note \'indexed at r2\'\nCREATE INDEX entries_account_idx ON :"schema".entries (account_id);\nCOMMENT ON INDEX :"schema".entries_account_idx IS :\'note\';',
    'DROP INDEX :"schema".entries_account_idx;',
  );
  tag('r3');
  change(
    'summary',
    ['summary@r3'],
    summary('a.id, a.name, :"schema".balance(a.id) AS balance'),
    `DROP VIEW :"schema".summary;\n${summary('a.id')}`,
    undefined,
    'r6',
  );
  tag('r4');
  change('balance', ['balance@r4'], balance(3), balance(2), undefined, 'r5');
  tag('r5');
  change('balance', ['balance@r5'], balance(4), balance(3));
  tag('r6');
  change(
    'summary',
    ['summary@r6'],
    `DROP VIEW :"schema".summary;\n${summary('a.id, a.name, :"schema".balance(a.id) AS balance, \'v3\'::text AS shape')}`,
    `DROP VIEW :"schema".summary;\n${summary('a.id, a.name, :"schema".balance(a.id) AS balance')}`,
  );
  tag('r7');
  change(
    'kinds',
    ['accounts'],
    'CREATE TYPE :"schema".kind AS ENUM (\'asset\', \'liability\');\nALTER TABLE :"schema".accounts ADD COLUMN kind :"schema".kind;',
    'ALTER TABLE :"schema".accounts DROP COLUMN kind;\nDROP TYPE :"schema".kind;',
  );
  tag('r8');
  files['db/sqitch.plan'] = `${plan.join('\n')}\n`;
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
  return root;
}
