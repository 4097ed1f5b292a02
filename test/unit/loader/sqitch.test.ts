// The Sqitch layout: the plan parser, identities of reworked changes, how scripts become
// sections, targets, and every mixed-up project refused with file and line before any
// connection is made.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { checksumSql } from '../../../lambdas/engine/checksum.ts';
import { InputError } from '../../../lambdas/engine/errors.ts';
import { memoryMigrationFiles } from '../../../lambdas/engine/loader/files.ts';
import { loadMigrations } from '../../../lambdas/engine/loader/load.ts';
import { buildSqitchSet } from '../../../lambdas/engine/loader/sqitch.ts';
import { parseSqitchPlan } from '../../../lambdas/engine/loader/sqitch-plan.ts';
import { resolveTarget, targetIndex } from '../../../lambdas/engine/loader/versions.ts';
import { loadSqlParser } from '../../../lambdas/engine/sql/parse.ts';
import { thrownInputError } from '../../support/thrown.ts';

beforeAll(() => loadSqlParser());

const at = '2024-01-02T10:00:00Z Ada Lovelace <ada@example.com>';
const wrapped = (body: string) => `-- a Sqitch script\nBEGIN;\n\n${body}\n\nCOMMIT;\n`;
const checked = (body: string) => `BEGIN;\n${body}\nROLLBACK;\n`;

/** A project whose every planned change has deploy/revert/verify scripts, unless `scripts` says otherwise. */
function project(planLines: string[], scripts: Record<string, string> = {}) {
  const plan = ['%syntax-version=1.0.0', '%project=shop', '', ...planLines].join('\n');
  return { plan, scripts };
}

describe('parseSqitchPlan', () => {
  it('reads pragmas, changes with dependencies and notes, and tags, each with its line', () => {
    const { plan, problems } = parseSqitchPlan(
      [
        '%syntax-version=1.0.0',
        '%project=shop',
        '%uri=https://example.com/shop/',
        '# a comment',
        '',
        `appschema ${at} # Adds the schema.`,
        `users [appschema !legacy_users other:roles] ${at} # Users\\nand more.`,
        `@v1.0 ${at} # First release.`,
        `users [users@v1.0] 2024-02-01T08:00:00Z Grace Hopper <grace@example.com>`,
      ].join('\r\n'),
    );
    expect(problems).toEqual([]);
    expect(plan).toMatchObject({ project: 'shop', uri: 'https://example.com/shop/', syntaxVersion: '1.0.0' });
    expect(plan.entries).toEqual([
      { kind: 'change', name: 'appschema', line: 6, requires: [], conflicts: [], note: 'Adds the schema.' },
      {
        kind: 'change',
        name: 'users',
        line: 7,
        requires: [
          { change: 'appschema', conflict: false, text: 'appschema' },
          { change: 'roles', project: 'other', conflict: false, text: 'other:roles' },
        ],
        conflicts: [{ change: 'legacy_users', conflict: true, text: '!legacy_users' }],
        note: 'Users\nand more.',
      },
      { kind: 'tag', name: 'v1.0', line: 8, note: 'First release.' },
      {
        kind: 'change',
        name: 'users',
        line: 9,
        requires: [{ change: 'users', tag: 'v1.0', conflict: false, text: 'users@v1.0' }],
        conflicts: [],
        note: '',
      },
    ]);
  });

  it('names the line of everything it cannot read, with the reason Sqitch gives', () => {
    const { problems } = parseSqitchPlan(
      [
        '%project=shop',
        '',
        `@early ${at}`,
        'users no date here',
        `-gone ${at}`,
        `ok [bad@] ${at}`,
        `ok ${at}`,
        `@t ${at}`,
        `@t ${at}`,
        `HEAD ${at}`,
        `twice ${at}`,
        `twice ${at}`,
        'nodate Ada <a@b.c>',
      ].join('\n'),
    );
    expect(problems.map((p) => [p.line, p.message.slice(0, 40)])).toEqual([
      [3, 'tag @early comes before any change; a ta'],
      [4, 'cannot read "users no date here": invali'],
      [5, '"-gone" reverts a change inside the plan'],
      [6, 'cannot read dependency "bad@"; write cha'],
      [7, 'change "ok" duplicates the declaration o'],
      [9, 'tag @t is already in the plan (line 8); '],
      [10, '"HEAD" is a reserved name; rename it'],
      [12, 'change "twice" duplicates the declaratio'],
      [13, '"nodate Ada <a@b.c>" is missing its time'],
    ]);
    expect(problems.every((p) => p.file === 'sqitch.plan')).toBe(true);
  });

  it('reads every syntax version, a note right after the e-mail, CRLF and a comment in the header', () => {
    for (const version of ['1.0.0-b1', '1.0.0-b2', '1.0.0', '1.1.0']) {
      const { plan, problems } = parseSqitchPlan(
        [
          `%syntax-version=${version}`,
          '  %  project = flipr   # the project',
          '# a comment does not end the header',
          '%uri=https://example.com/flipr/',
          '',
          `appschema  2013-12-30T23:19:45Z Marge N. O’Vera <marge@example.com># no space before the note`,
          `\tusers   [appschema]\t2013-12-30T23:49:00Z Marge N. O’Vera <marge@example.com>   `,
          `@v1.0.0-dev1 2013-12-31T00:01:22Z Marge N. O’Vera <marge@example.com>#tag`,
          `+users [users@v1.0.0-dev1] 2013-12-31T01:00:10Z Marge N. O’Vera <marge@example.com>`,
        ].join('\r\n'),
      );
      expect(problems).toEqual([]);
      expect(plan).toMatchObject({ project: 'flipr', syntaxVersion: version });
      expect(plan.entries.map((e) => [e.kind, e.name, e.note])).toEqual([
        ['change', 'appschema', 'no space before the note'],
        ['change', 'users', ''],
        ['tag', 'v1.0.0-dev1', 'tag'],
        ['change', 'users', ''],
      ]);
    }
  });

  it("refuses what Sqitch refuses: no %project, a change in the header, punctuation at a name's end", () => {
    expect(parseSqitchPlan(`%syntax-version=1.0.0\n\na ${at}\n`).problems[0]!.message).toContain(
      'no %project pragma',
    );
    expect(parseSqitchPlan(`%project=p\na ${at}\n`).problems[0]).toMatchObject({
      line: 2,
      message: expect.stringContaining('a blank line must come between the pragmas'),
    });
    expect(parseSqitchPlan(`%project=p\n\nbad- ${at}\n`).problems[0]!.message).toContain('invalid name');
    expect(parseSqitchPlan(`%project=p\n\ncafé_ü ${at}\n`).problems).toEqual([]);
  });
});

describe('buildSqitchSet', () => {
  const shop = project(
    [`appschema ${at}`, `users [appschema] ${at}`, `@v1 ${at}`, `users [users@v1] ${at}`, `@v2 ${at}`],
    {
      'deploy/appschema.sql': wrapped('CREATE SCHEMA shop;'),
      'revert/appschema.sql': wrapped('DROP SCHEMA shop;'),
      'verify/appschema.sql': checked("SELECT 1/count(*) FROM pg_namespace WHERE nspname = 'shop';"),
      'deploy/users@v1.sql': wrapped('CREATE TABLE shop.users (id bigint);'),
      'revert/users@v1.sql': wrapped('DROP TABLE shop.users;'),
      'deploy/users.sql': wrapped('ALTER TABLE shop.users ADD COLUMN email text;'),
    },
  );

  it('maps changes in plan order; a reworked change keeps its name first and is <name>.<n> after', () => {
    const set = buildSqitchSet('db', shop);
    expect(set.layout).toBe('sqitch');
    expect(
      set.migrations.map((m) => [m.version, m.name, m.file, m.downFile, m.verifyFile, m.irreversible]),
    ).toEqual([
      [
        'appschema',
        'appschema',
        'deploy/appschema.sql',
        'revert/appschema.sql',
        'verify/appschema.sql',
        false,
      ],
      ['users', 'users', 'deploy/users@v1.sql', 'revert/users@v1.sql', undefined, false],
      ['users.2', 'users', 'deploy/users.sql', undefined, undefined, true],
    ]);
    expect(set.tags).toEqual([
      { name: 'v1', afterVersion: 'users' },
      { name: 'v2', afterVersion: 'users.2' },
    ]);
  });

  it('keeps the identity and checksum of a change when it is reworked later', () => {
    const before = buildSqitchSet(
      'db',
      project([`appschema ${at}`, `users [appschema] ${at}`], {
        'deploy/appschema.sql': shop.scripts['deploy/appschema.sql']!,
        'deploy/users.sql': shop.scripts['deploy/users@v1.sql']!,
      }),
    );
    const after = buildSqitchSet('db', shop);
    expect(after.migrations[1]).toMatchObject({
      version: before.migrations[1]!.version,
      checksum: before.migrations[1]!.checksum,
    });
  });

  it('blanks a BEGIN … COMMIT wrapper so the body runs in the engine transaction, keeping every line in place', () => {
    const [appschema] = buildSqitchSet('db', shop).migrations;
    const deploy = shop.scripts['deploy/appschema.sql']!;
    expect(appschema!.up).toEqual({
      sql: '-- a Sqitch script\n      \n\nCREATE SCHEMA shop;\n\n       \n',
      startLine: 1,
      transaction: true,
    });
    expect(appschema!.up.sql).toHaveLength(deploy.length);
    expect(appschema!.checksum).toBe(checksumSql(deploy));
    expect(appschema!.verify!.sql).toBe(
      "      \nSELECT 1/count(*) FROM pg_namespace WHERE nspname = 'shop';\n         \n",
    );
  });

  it('runs a script with transaction control elsewhere, or a concurrent index, outside a transaction as written', () => {
    const twoTransactions =
      'BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\nBEGIN;\nCREATE TABLE b (id int);\nCOMMIT;\n';
    const concurrent = 'CREATE INDEX CONCURRENTLY a_idx ON a (id);\n';
    const set = buildSqitchSet(
      'db',
      project([`a ${at}`, `b ${at}`, `c ${at}`], {
        'deploy/a.sql': twoTransactions,
        'deploy/b.sql': concurrent,
        'deploy/c.sql': 'BEGIN ISOLATION LEVEL SERIALIZABLE;\nCREATE TABLE c (id int);\nCOMMIT;\n',
      }),
    );
    expect(set.migrations.map((m) => [m.up.sql, m.up.transaction])).toEqual([
      [twoTransactions, false],
      [concurrent, false],
      ['BEGIN ISOLATION LEVEL SERIALIZABLE;\nCREATE TABLE c (id int);\nCOMMIT;\n', false],
    ]);
  });

  it('does the psql commands Sqitch scripts use: \\set with :var interpolation, \\ir includes, \\echo', () => {
    const set = buildSqitchSet('db', {
      ...project([`a ${at}`], {
        'deploy/a.sql':
          "\\set ON_ERROR_STOP 1\n\\set tbl 'my table'\n\\echo deploying\nBEGIN;\nCREATE SCHEMA :\"schema\";\nCREATE TABLE :\"schema\".:\"tbl\" (note text DEFAULT :'greeting', n int DEFAULT 1::int);\n\\ir ../shared/functions.sql\nSELECT ':tbl', E':tbl\\'';\nCOMMIT;\n",
        'shared/functions.sql':
          'CREATE FUNCTION :"schema".f() RETURNS int LANGUAGE sql AS $$ SELECT :x $$;\n',
      }),
      config: '[core]\n\tengine = pg\n[deploy "variables"]\n\tschema = app\n\tGreeting = "it\'s"\n',
    });
    const sql = set.migrations[0]!.up.sql;
    expect(sql).toContain('CREATE SCHEMA "app";');
    expect(sql).toContain(`CREATE TABLE "app"."my table" (note text DEFAULT 'it''s', n int DEFAULT 1::int);`);
    expect(sql).toContain('CREATE FUNCTION "app".f() RETURNS int LANGUAGE sql AS $$ SELECT :x $$;');
    expect(sql).toContain("SELECT ':tbl', E':tbl\\'';");
    expect(sql).not.toMatch(/\\(set|echo|ir)/);
    expect(set.migrations[0]!.up.transaction).toBe(true);
  });

  it('refuses the psql commands it cannot do, naming file and line, with a rewrite', () => {
    const error = thrownInputError(() =>
      buildSqitchSet(
        'db',
        project([`a ${at}`], {
          'deploy/a.sql':
            "BEGIN;\n\\set pw `cat secret.txt`\nSELECT E'\\n';\n\\ir ../shared/missing.sql\nSELECT 1 \\gexec\n\\set ON_ERROR_STOP off\n\\connect other\nCOMMIT;\n",
        }),
      ),
    );
    expect(error.message).toContain('deploy/a.sql:2: psql meta-command "\\set pw `cat secret.txt`"');
    expect(error.message).toContain('[deploy "variables"] pw = <value>');
    expect(error.message).toContain('deploy/a.sql:4: psql meta-command "\\ir ../shared/missing.sql"');
    expect(error.message).toContain('shared/missing.sql does not exist');
    expect(error.message).toContain('deploy/a.sql:5: psql meta-command "\\gexec"');
    expect(error.message).toContain('DO block');
    expect(error.message).toContain('deploy/a.sql:6: psql meta-command "\\set ON_ERROR_STOP off"');
    expect(error.message).toContain('deploy/a.sql:7: psql meta-command "\\connect other"');
    expect(error.message).not.toContain('deploy/a.sql:3');
  });

  it('deploys empty scripts as Sqitch does: comments only, or only BEGIN; COMMIT;', () => {
    const set = buildSqitchSet(
      'db',
      project([`a ${at}`, `b ${at}`], {
        'deploy/a.sql': '-- Deploy a\n-- nothing yet\n',
        'revert/a.sql': '-- Revert a\n',
        'deploy/b.sql': '-- Deploy b\nBEGIN;\n\nCOMMIT;\n',
        'revert/b.sql': 'BEGIN;\nCOMMIT;\n',
      }),
    );
    expect(set.migrations.map((m) => [m.version, m.up.sql.trim().startsWith('--'), m.irreversible])).toEqual([
      ['a', true, false],
      ['b', true, false],
    ]);
    expect(set.migrations[1]!.up.sql.replace(/--[^\n]*/g, '').trim()).toBe('');
  });

  it('refuses a verify script that commits half-way', () => {
    const error = thrownInputError(() =>
      buildSqitchSet(
        'db',
        project([`a ${at}`], {
          'deploy/a.sql': 'CREATE TABLE a (id int);',
          'verify/a.sql': 'SELECT 1;\nCOMMIT;\nSELECT 2;\n',
        }),
      ),
    );
    expect(error).toMatchObject({ file: 'verify/a.sql', line: 2 });
    expect(error.message).toContain('the verify script controls transactions at line 2');
  });
});

describe('mixed-up Sqitch projects are refused before any connection, naming file and line', () => {
  it('a planned change with no deploy script', () => {
    const error = thrownInputError(() =>
      buildSqitchSet('db', project([`a ${at}`, `b [a] ${at}`], { 'deploy/a.sql': 'SELECT 1;' })),
    );
    expect(error).toMatchObject({ file: 'sqitch.plan', line: 5 });
    expect(error.message).toBe(
      'change "b" has no deploy script: deploy/b.sql is missing; add it, or remove the change from the plan',
    );
  });

  it('a dependency cycle, a later and an unknown dependency, a conflict with a deployed change, another project', () => {
    const scripts = Object.fromEntries(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => [`deploy/${name}.sql`, `SELECT '${name}';`]),
    );
    const error = thrownInputError(() =>
      buildSqitchSet(
        'db',
        project(
          [
            `a [b] ${at}`,
            `b [a] ${at}`,
            `c [f] ${at}`,
            `d [nope] ${at}`,
            `e [!a other:x shop:a] ${at}`,
            `f ${at}`,
          ],
          scripts,
        ),
      ),
    );
    expect(error.message).toBe(
      [
        '5 problems in Sqitch project db:',
        '  sqitch.plan:4: change "a" is part of a dependency cycle: a → b → a; break the cycle',
        '  sqitch.plan:6: change "c" depends on "f", which comes later in the plan (sqitch.plan:9); Sqitch deploys in plan order, so move "f" above "c"',
        '  sqitch.plan:7: change "d" depends on "nope", which is not in the plan; add that change above it, or fix the name',
        '  sqitch.plan:8: change "e" depends on "other:x" of another Sqitch project; stepmigrate reads one project and cannot check another\'s changes — deploy project other first and remove the cross-project dependency from this line',
        '  sqitch.plan:8: change "e" conflicts with "a" (sqitch.plan:4), which is deployed before it in plan order, so it can never be deployed; remove the conflict, or rework the change instead',
      ].join('\n'),
    );
  });

  it('a dependency on a tag that comes later', () => {
    const error = thrownInputError(() =>
      buildSqitchSet(
        'db',
        project([`a ${at}`, `b [a@v1] ${at}`, `@v1 ${at}`], {
          'deploy/a.sql': 'SELECT 1;',
          'deploy/b.sql': 'SELECT 2;',
        }),
      ),
    );
    expect(error).toMatchObject({ file: 'sqitch.plan', line: 5 });
    expect(error.message).toContain('tag @v1 comes later in the plan (sqitch.plan:6)');
  });

  it('settings in sqitch.conf that change the engine or point outside the project', () => {
    const error = thrownInputError(() =>
      buildSqitchSet('db', {
        ...project([`a ${at}`], { 'deploy/a.sql': 'SELECT 1;' }),
        config: '[core]\n\tengine = mysql\n\ttop_dir = ../elsewhere\n\tplan_file = sqitch.plan\n',
      }),
    );
    expect(error.message).toContain('sqitch.conf:2: engine mysql');
    expect(error.message).toContain('sqitch.conf:3: top_dir = ../elsewhere points outside the project');
    expect(error.message).not.toContain('plan_file');
  });

  it('a syntax error in a script, at its line', () => {
    const error = thrownInputError(() =>
      buildSqitchSet('db', project([`a ${at}`], { 'deploy/a.sql': 'BEGIN;\nCREATE TABLE (;\nCOMMIT;\n' })),
    );
    expect(error).toMatchObject({ file: 'deploy/a.sql', line: 2 });
    expect(error.message).toContain('syntax error');
  });
});

describe('Sqitch targets', () => {
  const build = () =>
    buildSqitchSet(
      'db',
      project([`a ${at}`, `b ${at}`, `@v1 ${at}`, `c ${at}`, `b [b@v1] ${at}`, `@v2 ${at}`, `d ${at}`], {
        'deploy/a.sql': 'SELECT 1;',
        'deploy/b@v1.sql': 'SELECT 2;',
        'deploy/c.sql': 'SELECT 3;',
        'deploy/b.sql': 'SELECT 4;',
        'deploy/d.sql': 'SELECT 5;',
      }),
    );

  it.each([
    ['@v1', 'b'],
    ['@v2', 'b.2'],
    ['b', 'b.2'],
    ['b@v1', 'b'],
    ['b@HEAD', 'b.2'],
    ['b.2', 'b.2'],
    ['c', 'c'],
    ['@HEAD', 'd'],
    ['latest', 'd'],
    ['@ROOT', 'a'],
    ['0', '0'],
  ])('%s is %s', (target, version) => {
    expect(resolveTarget(build(), target)).toBe(version);
  });

  it('refuses an unknown tag or change, listing the choices', () => {
    const set = build();
    expect(() => targetIndex(set, '@v3')).toThrow(
      'target "@v3" is not in the plan of db; use "latest", "0" (before the first change), a tag (@v1, @v2), @HEAD, @ROOT, or a change (a, b, c, d), optionally as change@tag',
    );
    expect(() => targetIndex(set, 'd@v1')).toThrow(InputError);
  });
});

describe('loading a Sqitch project', () => {
  it('is detected by sqitch.plan and reads scripts in subdirectories of deploy/', async () => {
    const files = memoryMigrationFiles('proj', {
      'sqitch.plan': `%project=p\n\nschemas/app ${at}\n`,
      'deploy/schemas/app.sql': wrapped('CREATE SCHEMA app;'),
      'revert/schemas/app.sql': wrapped('DROP SCHEMA app;'),
      'README.md': 'not read',
    });
    const set = await loadMigrations('proj', { files });
    expect(set.migrations.map((m) => [m.version, m.file, m.downFile])).toEqual([
      ['schemas/app', 'deploy/schemas/app.sql', 'revert/schemas/app.sql'],
    ]);
  });

  it('reads the fixture project in plan order', async () => {
    const set = await loadMigrations('test/fixtures/sqitch/shop');
    expect(set.migrations.map((m) => m.version)).toEqual([
      'appschema',
      'users',
      'products',
      'orders',
      'order_total',
      'user_email_index',
      'order_status',
      'order_total.2',
      'product_search',
    ]);
    expect(set.migrations.find((m) => m.version === 'user_email_index')!.up.transaction).toBe(false);
  });
});
