// What the workflow costs over running the same SQL yourself: the sample migrations applied
// by a local `stepmigrate run` (synthesized definition, every step, audit, metrics, backup,
// verify) against the same up sections sent over one connection, each on a fresh database
// of a temporary PostgreSQL. Also the one-off cost of synthesizing the definition. Reported,
// never asserted. Run alone: `npm run bench overhead`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startTemporaryCluster, type TemporaryCluster } from '../../cli/local/embedded-postgres.ts';
import { loadWorkflow, PROJECT_ROOT } from '../../cli/local-runner/definition-cache.ts';
import { runWorkflowLocally } from '../../cli/local-runner/run-workflow.ts';
import { loadMigrations } from '../../lambdas/engine/loader/load.ts';

const ROUNDS = Number(process.env.BENCH_OVERHEAD_ROUNDS ?? 5);
const MIGRATIONS = join(PROJECT_ROOT, 'migrations');

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};
const round = (n: number) => Math.round(n);

async function freshDatabase(cluster: TemporaryCluster, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(cluster.url);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The baseline: every up section, in order, each in its own transaction unless it says otherwise. */
async function applyDirectly(url: string): Promise<number> {
  const { migrations } = await loadMigrations(MIGRATIONS);
  const client = new pg.Client({ connectionString: url });
  const started = performance.now();
  await client.connect();
  try {
    for (const migration of migrations) {
      if (migration.up.transaction) await client.query(`BEGIN;\n${migration.up.sql}\nCOMMIT;`);
      else await client.query(migration.up.sql);
    }
  } finally {
    await client.end();
  }
  return performance.now() - started;
}

async function runWorkflow(url: string, projectDir: string, cacheDir: string) {
  const started = performance.now();
  const result = await runWorkflowLocally({
    projectDir,
    migrationsDir: MIGRATIONS,
    databaseUrl: url,
    approval: 'refuse',
    input: { requestedBy: 'bench' },
    cacheDir,
  });
  if (result.output?.status !== 'succeeded')
    throw new Error(`run ended ${result.output?.status}: ${JSON.stringify(result.output?.error)}`);
  return { ms: performance.now() - started, steps: result.output.steps };
}

export async function run(): Promise<Record<string, unknown>> {
  const cluster = await startTemporaryCluster();
  const projectDir = await mkdtemp(join(tmpdir(), 'stepmigrate-bench-'));
  const cacheDir = join(projectDir, 'cache');
  try {
    const synthStarted = performance.now();
    const cold = await loadWorkflow({ migrationsDir: MIGRATIONS, cacheDir });
    const synthMs = performance.now() - synthStarted;
    const warmStarted = performance.now();
    await loadWorkflow({ migrationsDir: MIGRATIONS, cacheDir });
    const cachedMs = performance.now() - warmStarted;

    const direct: number[] = [];
    const workflow: number[] = [];
    let lastSteps: Array<{ name: string; durationMs: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      direct.push(await applyDirectly(await freshDatabase(cluster, `direct_${round}`)));
      const result = await runWorkflow(
        await freshDatabase(cluster, `workflow_${round}`),
        projectDir,
        cacheDir,
      );
      workflow.push(result.ms);
      lastSteps = result.steps;
    }
    const directMs = median(direct);
    const workflowMs = median(workflow);
    return {
      migrations: (await loadMigrations(MIGRATIONS)).migrations.length,
      rounds: ROUNDS,
      directSqlMs: round(directMs),
      localRunMs: round(workflowMs),
      overheadMs: round(workflowMs - directMs),
      overheadFactor: Math.round((workflowMs / directMs) * 10) / 10,
      synthesizeDefinitionMs: round(synthMs),
      synthesizeInRunnerMs: cold.synthMs,
      cachedDefinitionMs: round(cachedMs),
      stepsOfLastRun: Object.fromEntries(lastSteps.map((s) => [s.name, s.durationMs])),
      note: 'localRunMs excludes process start-up and the one-off synthesis (cached after the first run)',
    };
  } finally {
    await rm(projectDir, { recursive: true, force: true });
    await cluster.stop();
  }
}
