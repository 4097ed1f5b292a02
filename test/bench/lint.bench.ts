// Lints about 1 MB of generated, realistic migration SQL and reports how long parsing,
// classification and the full rule set take (target: the whole lint under 1 s, in process).
// Then, as a user runs it, the whole `node bin/stepmigrate.js lint …` process over the Squawk
// parity corpus and over the same 1 MB written out as migration files, beside the real Squawk
// (squawk-cli) on the same files, and beside the floor of starting the CLI at all
// (`stepmigrate lint --list-rules`: Node, tsx and the lint modules, no SQL).
// Run alone: `npx tsx test/bench/lint.bench.ts`.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { lintMigrations } from '../../lambdas/engine/lint/index.ts';
import type { Migration } from '../../lambdas/engine/model.ts';
import { analyzeMigration } from '../../lambdas/engine/sql/classify.ts';
import { loadSqlParser, splitStatements } from '../../lambdas/engine/sql/parse.ts';
import { CORPUS_DIR, loadCorpus, SQUAWK_BIN, squawkMissing } from '../support/lint-corpus.ts';

const CLI = fileURLToPath(new URL('../../bin/stepmigrate.js', import.meta.url));
/** Whole-process timings are the median of this many runs: a shared machine is noisy. */
const RUNS = 3;

const TARGET_BYTES = 1024 * 1024;

function tableSql(n: number): string {
  return [
    `-- Orders for tenant group ${n}: prices in €, names may be 日本語.`,
    `CREATE TABLE IF NOT EXISTS app.orders_${n} (`,
    '  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,',
    '  customer_id bigint NOT NULL REFERENCES app.users (id),',
    "  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'void')),",
    '  total numeric(12,2) NOT NULL DEFAULT 0,',
    "  note text DEFAULT 'Grüße',",
    '  created_at timestamptz NOT NULL DEFAULT now(),',
    '  updated_at timestamptz',
    ');',
    `CREATE INDEX orders_${n}_customer_idx ON app.orders_${n} (customer_id);`,
    `COMMENT ON TABLE app.orders_${n} IS 'orders; one row per checkout';`,
    `CREATE OR REPLACE FUNCTION app.touch_orders_${n}() RETURNS trigger LANGUAGE plpgsql AS $$`,
    'BEGIN NEW.updated_at := now(); RETURN NEW; END;',
    '$$;',
    `CREATE TRIGGER orders_${n}_touch BEFORE UPDATE ON app.orders_${n} FOR EACH ROW EXECUTE FUNCTION app.touch_orders_${n}();`,
  ].join('\n');
}

function alterSql(n: number): string {
  return [
    `ALTER TABLE app.users ADD COLUMN IF NOT EXISTS pref_${n} text;`,
    `ALTER TABLE app.accounts ADD CONSTRAINT accounts_${n}_fk FOREIGN KEY (owner_${n}) REFERENCES app.users (id) NOT VALID;`,
    `UPDATE app.users SET pref_${n} = 'x' WHERE id BETWEEN ${n * 1000} AND ${n * 1000 + 999};`,
  ].join('\n');
}

export function generateMigrations(): { migrations: Migration[]; bytes: number } {
  const migrations: Migration[] = [];
  let bytes = 0;
  for (let n = 1; bytes < TARGET_BYTES; n++) {
    const up = n % 3 === 0 ? alterSql(n) : tableSql(n);
    const down =
      n % 3 === 0
        ? `ALTER TABLE app.accounts DROP CONSTRAINT IF EXISTS accounts_${n}_fk;\nALTER TABLE app.users DROP COLUMN IF EXISTS pref_${n};`
        : `DROP TABLE IF EXISTS app.orders_${n};\nDROP FUNCTION IF EXISTS app.touch_orders_${n}();`;
    bytes += Buffer.byteLength(up) + Buffer.byteLength(down);
    const version = String(n).padStart(4, '0');
    migrations.push({
      version,
      name: `bench_${n}`,
      file: `${version}_bench_${n}.sql`,
      up: { sql: up, startLine: 2, transaction: true },
      down: { sql: down, startLine: 30, transaction: true },
      irreversible: false,
      verify: null,
      lintAllows: [],
      checksum: 'bench',
    });
  }
  return { migrations, bytes };
}

function time<T>(work: () => T): [T, number] {
  const start = performance.now();
  const result = work();
  return [result, Math.round((performance.now() - start) * 10) / 10];
}

const TIME = '/usr/bin/time';
const hasTime = spawnSync(TIME, ['-f', '%U', 'true'], { stdio: 'ignore' }).status === 0;

interface ProcessTime {
  /** Median wall-clock time of RUNS runs. */
  wallMs: number;
  /** CPU (user + system) of that run, when /usr/bin/time is there: on a loaded machine it is the steadier number. */
  cpuMs?: number;
}

/** Runs `command args` in `cwd` RUNS times; exit codes 0–2 are lint results, anything else a failure. */
function processTime(command: string, args: string[], cwd: string): ProcessTime {
  const runs: ProcessTime[] = [];
  for (let i = 0; i < RUNS; i++) {
    const [file, argv] = hasTime ? [TIME, ['-f', '%U %S', command, ...args]] : [command, args];
    const start = performance.now();
    const result = spawnSync(file, argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 256 << 20 });
    const wallMs = Math.round(performance.now() - start);
    if (result.status === null || result.status > 2)
      throw new Error(`${command} ${args[0]} failed: ${result.status}`);
    const cpu = hasTime
      ? result.stderr.toString().trim().split('\n').at(-1)?.split(' ').map(Number)
      : undefined;
    runs.push(cpu === undefined ? { wallMs } : { wallMs, cpuMs: Math.round((cpu[0]! + cpu[1]!) * 1000) });
  }
  return runs.sort((a, b) => a.wallMs - b.wallMs)[Math.floor(RUNS / 2)]!;
}

function nativeFile(migration: Migration): string {
  return `-- migrate:up\n${migration.up.sql}\n-- migrate:down\n${migration.down?.sql ?? ''}\n`;
}

/** `stepmigrate lint` and Squawk as whole processes, on the corpus and on the 1 MB of SQL. */
async function wholeProcess(migrations: Migration[]): Promise<Record<string, unknown>> {
  const corpus = loadCorpus().map((c) => c.name);
  const dir = await mkdtemp(join(tmpdir(), 'stepmigrate-lint-bench-'));
  try {
    const files = migrations.map((m) => m.file);
    await Promise.all(migrations.map((m) => writeFile(join(dir, m.file), nativeFile(m))));
    const squawk = squawkMissing() === undefined;
    return {
      corpusCases: corpus.length,
      cliStartupFloorMs: processTime('node', [CLI, 'lint', '--list-rules'], CORPUS_DIR),
      stepmigrateLintCorpusMs: processTime('node', [CLI, 'lint', ...corpus], CORPUS_DIR),
      squawkCorpusMs: squawk
        ? processTime(SQUAWK_BIN, ['--reporter', 'json', ...corpus], CORPUS_DIR)
        : 'squawk absent',
      stepmigrateLintOneMegabyteMs: processTime('node', [CLI, 'lint', '--migrations', '.'], dir),
      squawkOneMegabyteMs: squawk
        ? processTime(SQUAWK_BIN, ['--reporter', 'json', ...files], dir)
        : 'squawk absent',
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const [, loadMs] = await (async () => {
    const start = performance.now();
    await loadSqlParser();
    return [undefined, Math.round(performance.now() - start)] as const;
  })();
  const { migrations, bytes } = generateMigrations();
  const [statements, parseMs] = time(() =>
    migrations.reduce(
      (count, m) => count + splitStatements(m.up.sql, { file: m.file, startLine: 2 }).length,
      0,
    ),
  );
  const [, classifyMs] = time(() => migrations.map((m) => analyzeMigration(m)));
  const [, lintWithCachedParseMs] = time(() => lintMigrations(migrations));
  // Fresh objects: nothing cached, so this is the cost of a lint from the files' text.
  const fresh = migrations.map((m) => ({ ...m }));
  const [findings, lintMs] = time(() => lintMigrations(fresh));
  const oneSection = migrations.map((m) => m.up.sql).join('\n');
  const [, singleSectionParseMs] = time(() => splitStatements(oneSection, { file: 'big.sql', startLine: 1 }));
  return {
    bytes,
    migrations: migrations.length,
    upStatements: statements,
    findings: findings.length,
    loadParserMs: loadMs,
    parseUpSectionsColdMs: parseMs,
    classifyAllSectionsMs: classifyMs,
    lintAllMs: lintMs,
    lintAfterAnalysisMs: lintWithCachedParseMs,
    parseOneMegabyteSectionMs: singleSectionParseMs,
    targetLintMs: 1000,
    wholeProcess: await wholeProcess(migrations),
    // Timings on a shared machine mean little without this.
    loadAverage1m: loadavg()[0],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
