// Each layout read as its own tool reads it: sqitch.conf directories, targets and variables;
// Flyway's flyway.conf (locations, placeholders, baselines); golang-migrate's unread down
// files; and files that are not UTF-8.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { checksumSql } from '../../../lambdas/engine/checksum.ts';
import { lintMigrations } from '../../../lambdas/engine/lint/index.ts';
import { memoryMigrationFiles } from '../../../lambdas/engine/loader/files.ts';
import { buildFlywaySet } from '../../../lambdas/engine/loader/flyway.ts';
import { loadMigrations } from '../../../lambdas/engine/loader/load.ts';
import { runPsqlMetaCommands } from '../../../lambdas/engine/loader/psql-script.ts';
import { sqitchLayout } from '../../../lambdas/engine/loader/sqitch-config.ts';
import { targetIndex } from '../../../lambdas/engine/loader/versions.ts';
import { loadSqlParser } from '../../../lambdas/engine/sql/parse.ts';
import { thrownInputError } from '../../support/thrown.ts';

beforeAll(() => loadSqlParser());

const at = '2024-01-02T10:00:00Z Ada Lovelace <ada@example.com>';
const rejection = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).name).toBe('InputError');
  return error as Error & { file?: string; line?: number };
};

describe('sqitch.conf as Sqitch resolves it', () => {
  it('takes each setting from the target, then the engine, then core; reworked scripts follow reworked_dir', () => {
    const { layout, problems } = sqitchLayout(
      [
        '[core]',
        '\tengine = pg',
        '\ttop_dir = db',
        '\tdeploy_dir = ignored/by/engine',
        '[engine "pg"]',
        '\ttarget = prod',
        '\tdeploy_dir = db/changes   # a comment',
        '[target "prod"]',
        '\turi = db:pg:prod',
        '\trevert_dir = "db/undo"',
        '[core "variables"]',
        '\tschema = core_value',
        '[deploy.variables]',
        '\tSchema = deploy_value',
        '[revert "variables"]',
        '\tschema = revert_value',
        '[target "prod" ]',
        '\tverify_dir = db/checks',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(layout).toEqual({
      planFile: 'db/sqitch.plan',
      dirs: { deploy: 'db/changes', revert: 'db/undo', verify: 'db/checks' },
      reworkedDirs: { deploy: 'db/db/changes', revert: 'db/db/undo', verify: 'db/db/checks' },
      extension: 'sql',
      variables: { deploy: { schema: 'deploy_value' }, revert: { schema: 'revert_value' } },
    });
  });

  it('reads a project whose sqitch.conf moves everything, with a reworked change and another extension', async () => {
    const files = memoryMigrationFiles('proj', {
      'sqitch.conf': '[core]\n\tengine = pg\n\ttop_dir = db\n\textension = psql\n\treworked_dir = db/old\n',
      'db/sqitch.plan': `%syntax-version=1.0.0-b2\n%project=p\n\nusers ${at}\n@v1 ${at}\n\nusers [users@v1] ${at}\n`,
      'db/deploy/users.psql': 'CREATE TABLE users (id int, name text);\n',
      'db/revert/users.psql': 'ALTER TABLE users DROP COLUMN name;\n',
      'db/old/deploy/users@v1.psql': 'CREATE TABLE users (id int);\n',
      'db/old/revert/users@v1.psql': 'DROP TABLE users;\n',
    });
    const set = await loadMigrations('proj', { files });
    expect(set.layout).toBe('sqitch');
    expect(set.migrations.map((m) => [m.version, m.file, m.downFile])).toEqual([
      ['users', 'db/old/deploy/users@v1.psql', 'db/old/revert/users@v1.psql'],
      ['users.2', 'db/deploy/users.psql', 'db/revert/users.psql'],
    ]);
  });

  it('names the plan sqitch.conf points at when it is missing', async () => {
    const files = memoryMigrationFiles('proj', { 'sqitch.conf': '[core]\n\tplan_file = db/plan.txt\n' });
    const error = await rejection(loadMigrations('proj', { files }));
    expect(error.message).toContain('has no db/plan.txt (where sqitch.conf puts the plan)');
  });
});

describe("Flyway's configuration", () => {
  const conf = (text: string) => ({ flywayConf: [{ name: 'flyway.conf', text }] });
  const now = new Date('2026-01-02T03:04:05Z');

  it('replaces placeholders everywhere, case-insensitively, with built-ins; the checksum is the file as written', () => {
    const text = `-- for \${Owner}\nCREATE TABLE \${flyway:defaultSchema}.audit (at text DEFAULT '\${flyway:timestamp}', f text DEFAULT '\${flyway:filename}');\nGRANT SELECT ON \${flyway:defaultSchema}.audit TO \${owner};\nCOMMENT ON TABLE \${flyway:defaultSchema}.audit IS '\${flyway:table} in \${flyway:database} as \${flyway:user}';\n`;
    const set = buildFlywaySet(
      'sql',
      [{ name: 'V1__audit.sql', text }],
      {},
      {
        ...conf(
          'flyway.url=jdbc:postgresql://db.example.com:5432/shop\nflyway.user=deployer\nflyway.schemas=app,other\nflyway.placeholders.owner=reporting\n',
        ),
        now,
      },
    );
    const [migration] = set.migrations;
    expect(migration!.up.sql).toBe(
      "-- for reporting\nCREATE TABLE app.audit (at text DEFAULT '2026-01-02 03:04:05', f text DEFAULT 'V1__audit.sql');\nGRANT SELECT ON app.audit TO reporting;\nCOMMENT ON TABLE app.audit IS 'flyway_schema_history in shop as deployer';\n",
    );
    expect(migration!.checksum).toBe(checksumSql(text));
  });

  it('refuses an undefined placeholder, and a connection built-in that is not configured, at file and line', () => {
    const error = thrownInputError(() =>
      buildFlywaySet('sql', [
        { name: 'V1__a.sql', text: `SELECT 1;\nSELECT \${missing};\nSELECT \${flyway:user};\n` },
      ]),
    );
    expect(error.message).toContain(`V1__a.sql:2: no value for placeholder \${missing}`);
    expect(error.message).toContain('flyway.placeholders.missing=<value>');
    expect(error.message).toContain('pass the directory that holds flyway.conf');
    expect(error.message).toContain(
      `V1__a.sql:3: \${flyway:user} is a value Flyway takes from its connection`,
    );
    expect(error.message).toContain('set flyway.user in flyway.conf');
  });

  it('leaves placeholders alone when placeholderReplacement=false, and honours another prefix and suffix', () => {
    const off = buildFlywaySet(
      'sql',
      [{ name: 'V1__a.sql', text: `SELECT '\${x}';\n` }],
      {},
      conf('flyway.placeholderReplacement=false\n'),
    );
    expect(off.migrations[0]!.up.sql).toBe(`SELECT '\${x}';\n`);
    const custom = buildFlywaySet(
      'sql',
      [{ name: 'V1__a.sql', text: `SELECT '\${x}', '@@x@@';\n` }],
      {},
      conf('flyway.placeholderPrefix=@@\nflyway.placeholderSuffix=@@\nflyway.placeholders.x=1\n'),
    );
    expect(custom.migrations[0]!.up.sql).toBe(`SELECT '\${x}', '1';\n`);
  });

  it('runs a repeatable again when a placeholder value it uses changes', () => {
    const sources = [{ name: 'R__view.sql', text: `CREATE OR REPLACE VIEW v AS SELECT \${n} AS n;\n` }];
    const one = buildFlywaySet('sql', sources, {}, conf('flyway.placeholders.n=1\n')).migrations[0]!;
    const two = buildFlywaySet('sql', sources, {}, conf('flyway.placeholders.n=2\n')).migrations[0]!;
    expect(one.checksum).not.toBe(two.checksum);
  });

  it('says a versioned migration without an undo file has no undo file, not that a down section says so', async () => {
    const set = buildFlywaySet('sql', [{ name: 'V2__add_index.sql', text: 'CREATE INDEX i ON t (a);\n' }]);
    expect(set.migrations[0]!.irreversibleReason).toBe(
      'has no undo file (U2__add_index.sql): its rollback is restore-only',
    );
    const [finding] = lintMigrations(set.migrations).filter((f) => f.rule === 'irreversible-not-allowed');
    expect(finding!.message).toContain(
      'Migration 2 has no undo file (U2__add_index.sql): its rollback is restore-only.',
    );
    expect(finding!.message).not.toContain('down section');
  });

  it('keeps baseline migrations next to the versioned ones, marked, after every other migration', () => {
    const set = buildFlywaySet('sql', [
      { name: 'V1__a.sql', text: 'CREATE TABLE a (id int);\n' },
      { name: 'B1__a.sql', text: 'CREATE TABLE a (id int);\n' },
      { name: 'V2__b.sql', text: 'CREATE TABLE b (id int);\n' },
      { name: 'B1_5__old.sql', text: 'CREATE TABLE a (id int);\n' },
      { name: 'R__v.sql', text: 'CREATE OR REPLACE VIEW v AS SELECT 1;\n' },
    ]);
    expect(set.migrations.map((m) => [m.version, m.file, m.baselineOf])).toEqual([
      ['1', 'V1__a.sql', undefined],
      ['2', 'V2__b.sql', undefined],
      ['R__v', 'R__v.sql', undefined],
      ['B1', 'B1__a.sql', '1'],
      ['B1.5', 'B1_5__old.sql', '1.5'],
    ]);
    expect(set.migrations.at(-1)).toMatchObject({
      down: null,
      irreversible: true,
      irreversibleReason: 'is a baseline migration, which has no undo: its rollback is restore-only',
    });
    // A baseline stands for the versioned migrations up to it: it is no target of its own.
    expect(() => targetIndex(set, 'B1')).toThrow(
      'use "latest", "0" (before the first migration) or one of the versions: 1, 2, R__v',
    );
  });

  it('refuses two baselines of one version', () => {
    expect(() =>
      buildFlywaySet('sql', [
        { name: 'B3__a.sql', text: 'SELECT 1;\n' },
        { name: 'B3.0__b.sql', text: 'SELECT 1;\n' },
      ]),
    ).toThrow('B3.0 is also used by B3__a.sql');
  });

  it('reads the directories flyway.locations names, from flyway.conf over conf/flyway.conf, and refuses classpath:', async () => {
    const files = memoryMigrationFiles('proj', {
      'conf/flyway.conf': 'flyway.locations=filesystem:elsewhere\n',
      'flyway.conf': '# the project\nflyway.locations = filesystem:db/one, filesystem:./db/two\n',
      'db/one/V1__a.sql': 'CREATE TABLE a (id int);\n',
      'db/two/sub/V2__b.sql': 'CREATE TABLE b (id int);\n',
      'scratch/V9__not_a_migration.sql': 'DROP TABLE a;\n',
    });
    const set = await loadMigrations('proj', { files });
    expect(set.layout).toBe('flyway');
    expect(set.migrations.map((m) => m.file)).toEqual(['db/one/V1__a.sql', 'db/two/sub/V2__b.sql']);

    const classpath = memoryMigrationFiles('proj', {
      'flyway.conf': 'flyway.locations=classpath:db/migration\n',
      'sql/V1__a.sql': 'SELECT 1;\n',
    });
    const error = await rejection(loadMigrations('proj', { files: classpath, layout: 'flyway' }));
    expect(error).toMatchObject({ file: 'flyway.conf', line: 1 });
    expect(error.message).toContain('a location on a Java class path');
    expect(error.message).toContain('filesystem:src/main/resources/db/migration');
  });
});

describe('golang-migrate down files, which it reads only to migrate down', () => {
  const files = (down: string) =>
    memoryMigrationFiles('db', {
      '1_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
      '1_users.down.sql': down,
    });

  it('loads a project whose down file does not parse; lint reports down-syntax-error at its line', async () => {
    const set = await loadMigrations('db', { files: files('-- undo\nDROP TABEL users;\n') });
    const [migration] = set.migrations;
    expect(migration).toMatchObject({ down: null, irreversible: true });
    expect(migration!.irreversibleReason).toContain('1_users.down.sql:2');
    const findings = lintMigrations(set.migrations).filter((f) => f.severity === 'error');
    expect(findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['down-syntax-error', '1_users.down.sql', 2],
    ]);
    expect(findings[0]!.message).toContain('syntax error at or near "TABEL"');
  });

  it('lets the run go ahead once the finding is allowed, in the down file itself or in stepmigrate.json', async () => {
    const allowedInFile = await loadMigrations('db', {
      files: files(
        '-- lint:allow down-syntax-error rebuilt from the backup if ever needed\nDROP TABEL users;\n',
      ),
    });
    expect(lintMigrations(allowedInFile.migrations).filter((f) => f.severity === 'error')).toEqual([]);
    const broken = await loadMigrations('db', { files: files('DROP TABEL users;\n') });
    const lowered = lintMigrations(broken.migrations, {
      config: { rules: { 'down-syntax-error': 'warning' } },
    });
    expect(lowered.filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe('files that are not UTF-8', () => {
  it.each([
    [
      'native',
      { '0001_a.sql': Buffer.from("-- migrate:up\nSELECT 'caf\xe9';\n-- migrate:down\n", 'latin1') },
      '0001_a.sql',
      2,
    ],
    [
      'golang-migrate',
      { '1_a.up.sql': Buffer.from([0x53, 0x45, 0x4c, 0x0a, 0x0a, 0xc3, 0x28]) },
      '1_a.up.sql',
      3,
    ],
    [
      'sqitch',
      { 'sqitch.plan': Buffer.from(`%project=p\n\na ${at} # caf\xe9\n`, 'latin1') },
      'sqitch.plan',
      3,
    ],
  ] as const)(
    '%s: refused with the file and line of the first bad byte',
    async (layout, contents, file, line) => {
      const error = await rejection(
        loadMigrations('db', { files: memoryMigrationFiles('db', contents), layout }),
      );
      expect(error).toMatchObject({ file, line });
      expect(error.message).toContain(`${file}:${line}: the file is not valid UTF-8`);
    },
  );
});

describe('psql meta-commands, as psql does them', () => {
  const files: Record<string, string> = {
    'lib/a.sql': '\\ir b.sql\nSELECT :x;\n',
    'lib/b.sql': "SELECT 'b';\n",
    'lib/loop.sql': '\\i lib/loop.sql\n',
  };
  const psql = (sql: string, variables: Record<string, string> = {}) =>
    runPsqlMetaCommands('deploy/x.sql', sql, { variables, readFile: (path) => files[path] });

  it('quotes :\'x\' as PQescapeLiteral does, and :"x" as an identifier; \\unset forgets', () => {
    const { sql, problems } = psql("\\set x 'a\\\\b''c'\nSELECT :'x', :\"x\";\n\\unset x\nSELECT :'x';\n");
    expect(problems).toEqual([]);
    expect(sql).toContain(`SELECT  E'a\\\\b''c', "a\\b'c";`);
    expect(sql).toContain("SELECT :'x';");
  });

  it('includes with \\i from the project directory and \\ir from the including file, nested, with variables', () => {
    const { sql, problems, included } = psql('\\i lib/a.sql\n', { x: '42' });
    expect(problems).toEqual([]);
    expect(included).toEqual(['lib/a.sql', 'lib/b.sql']);
    expect(sql).toContain("SELECT 'b';\nSELECT 42;");
  });

  it('refuses an include cycle and a file outside the project', () => {
    const { problems } = psql('\\i lib/loop.sql\n\\ir ../../etc/passwd\n');
    expect(problems.map((p) => [p.file, p.line])).toEqual([
      ['lib/loop.sql', 1],
      ['deploy/x.sql', 2],
    ]);
    expect(problems[0]!.message).toContain('includes itself');
    expect(problems[1]!.message).toContain('outside the project directory');
  });
});

describe('a lone backslash', () => {
  it('is refused with its line, not a crash', () => {
    const { problems } = runPsqlMetaCommands('deploy/x.sql', 'SELECT 1;\nSELECT 2 \\\nSELECT 3;\n', {
      variables: {},
      readFile: () => undefined,
    });
    expect(problems.map((p) => [p.file, p.line])).toEqual([['deploy/x.sql', 2]]);
  });
});
