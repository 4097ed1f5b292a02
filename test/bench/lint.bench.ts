// Lints about 1 MB of generated, realistic migration SQL and reports how long parsing,
// classification and the full rule set take. Target: the whole lint under 1 s.
// Run alone: `npx tsx test/bench/lint.bench.ts`.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { lintMigrations } from '../../lambdas/engine/lint/index.ts';
import type { Migration } from '../../lambdas/engine/model.ts';
import { analyzeMigration } from '../../lambdas/engine/sql/classify.ts';
import { loadSqlParser, splitStatements } from '../../lambdas/engine/sql/parse.ts';

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

function generateMigrations(): { migrations: Migration[]; bytes: number } {
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
    // Timings on a shared machine mean little without this.
    loadAverage1m: loadavg()[0],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
