// What the workflow costs over running the same SQL yourself, two ways:
// - in process: the sample migrations applied by a local `stepmigrate run` (synthesized
//   definition, every step, audit, metrics, backup, verify) against the same up sections sent
//   over one connection, each on a fresh database of a temporary PostgreSQL; also the one-off
//   cost of synthesizing the definition;
// - whole process, as a user types it: 20 small migrations through `npx stepmigrate
//   run` (compiled CLI, cached definition) against the same SQL in one `psql -1`, Debian's
//   PostgreSQL 15 server and psql, each on a fresh database. Target: ≤ 1.5 s more than psql.
//   Twice: in this repository, where npm resolves the package's own bin through the whole
//   dependency tree, and from a project that has stepmigrate installed (node_modules/stepmigrate
//   linked to this repository, as `npm install <path>` links it), where npx finds the bin in
//   node_modules/.bin.
// Reported, never asserted. Run alone: `npm run bench overhead`.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startTemporaryCluster } from '../../cli/local/embedded-postgres.ts';
import { loadWorkflow, PROJECT_ROOT } from '../../cli/local-runner/definition-cache.ts';
import { runWorkflowLocally } from '../../cli/local-runner/run-workflow.ts';
import { loadMigrations } from '../../lambdas/engine/loader/load.ts';
import { debianBinDir, debianPostgresMissing, startDebianCluster } from '../support/debian-postgres.ts';
import { childrenCpuMs } from './child-cpu.ts';
import { freshDatabase } from './fresh-database.ts';
import { median } from './median.ts';
import type { SummaryRow } from './summary-rows.ts';

const ROUNDS = Number(process.env.BENCH_OVERHEAD_ROUNDS ?? 5);
const MIGRATIONS = join(PROJECT_ROOT, 'migrations');

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

const WHOLE_PROCESS_MIGRATIONS = 20;
const WHOLE_PROCESS_ROUNDS = Number(process.env.BENCH_OVERHEAD_PROCESS_ROUNDS ?? 5);
/** The target: a whole run may take this much longer than the same SQL in one psql -1. */
const WHOLE_PROCESS_BUDGET_MS = 1500;
/**
 * Our own aim, not the target: npx itself takes 0.6–1.0 s of that budget in this
 * repository before our process starts (measured beside it: `npx stepmigrate --version`), so
 * the process's own share is what is left.
 */
const NODE_PROCESS_TARGET_MS = 400;

/** Twenty small, lint-clean migrations, and the same up sections as one psql script. */
async function smallMigrations(dir: string): Promise<{ migrationsDir: string; script: string }> {
  const migrationsDir = join(dir, 'migrations');
  await mkdir(migrationsDir, { recursive: true });
  const ups: string[] = [];
  for (let n = 1; n <= WHOLE_PROCESS_MIGRATIONS; n++) {
    const version = String(n).padStart(4, '0');
    const table = `bench.item_${version}`;
    const up =
      (n === 1 ? 'CREATE SCHEMA bench;\n' : '') +
      `CREATE TABLE ${table} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text NOT NULL);`;
    const down = `DROP TABLE ${table};${n === 1 ? '\nDROP SCHEMA bench;' : ''}`;
    await writeFile(
      join(migrationsDir, `${version}_create_item_${version}.sql`),
      `-- migrate:up\n${up}\n\n-- migrate:down\n${down}\n`,
    );
    ups.push(up);
  }
  const script = join(dir, 'all-up.sql');
  await writeFile(script, `${ups.join('\n')}\n`);
  return { migrationsDir, script };
}

/** Wall and CPU time (user + system) of one process in ms, and its stdout; a failure stops the bench. */
function timedProcess(command: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = PROJECT_ROOT) {
  const cpuBefore = childrenCpuMs() ?? 0;
  const started = performance.now();
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', ...env },
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { ms, cpuMs: (childrenCpuMs() ?? 0) - cpuBefore, stdout: result.stdout };
}

/**
 * The step times a run prints ("  ✓ Validate   145 ms  …", "  ✓ Apply 0003   6 ms  …"):
 * Validate's, and the median of the Apply steps'.
 */
function printedStepMs(stdout: string): { validateMs: number; applyMs: number } {
  const validate = /^\s*✓ Validate\s+(\d+) ms/m.exec(stdout);
  const applies = [...stdout.matchAll(/^\s*✓ Apply \S+\s+(\d+) ms/gm)].map((match) => Number(match[1]));
  if (!validate || applies.length === 0) throw new Error(`no step times in: ${stdout}`);
  return { validateMs: Number(validate[1]), applyMs: median(applies) };
}

/** The seconds a run's own summary line states ("succeeded: 0 → 0020, db, 1.2 s"). */
function summarySeconds(stdout: string): number {
  const match = /^succeeded: .*, (\d+(?:\.\d+)?) s$/m.exec(stdout);
  if (!match) throw new Error(`no summary line in: ${stdout}`);
  return Number(match[1]);
}

/** A project that depends on stepmigrate: its node_modules links this repository, as `npm install <path>` does. */
async function consumerProject(dir: string): Promise<string> {
  const project = join(dir, 'consumer');
  await mkdir(join(project, 'node_modules', '.bin'), { recursive: true });
  await writeFile(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'bench-consumer', private: true })}\n`,
  );
  await symlink(PROJECT_ROOT, join(project, 'node_modules', 'stepmigrate'));
  await symlink('../stepmigrate/bin/stepmigrate.js', join(project, 'node_modules', '.bin', 'stepmigrate'));
  return project;
}

async function wholeProcessRun(): Promise<{ summary: SummaryRow[]; detail: Record<string, unknown> }> {
  const missing = await debianPostgresMissing();
  if (missing) return { summary: [], detail: { skipped: missing } };
  const cluster = await startDebianCluster();
  const dir = await mkdtemp(join(tmpdir(), 'stepmigrate-bench-process-'));
  try {
    const { migrationsDir, script } = await smallMigrations(dir);
    const psql = join(debianBinDir(), 'psql');
    const cli = join(PROJECT_ROOT, 'bin', 'stepmigrate.js');
    // npm's update check asks the registry; that is npm's cost, not the run's.
    const npx = { npm_config_update_notifier: 'false' };
    const runArgs = (url: string) => ['run', '--migrations', migrationsDir, '--database-url', url];
    const consumer = await consumerProject(dir);
    // Unmeasured: synthesizes and caches the definition, as a project's first run does.
    timedProcess(process.execPath, [cli, ...runArgs(await freshDatabase(cluster, 'warm'))]);
    timedProcess(
      'npx',
      ['stepmigrate', ...runArgs(await freshDatabase(cluster, 'warm_consumer'))],
      npx,
      consumer,
    );
    const psqlMs: number[] = [];
    const npxMs: number[] = [];
    const consumerMs: number[] = [];
    const nodeMs: number[] = [];
    const summaryMs: number[] = [];
    const npxFloor: number[] = [];
    const nodeVersion: number[] = [];
    const npxCpu: number[] = [];
    const nodeCpu: number[] = [];
    const validateMs: number[] = [];
    const applyMs: number[] = [];
    for (let round = 0; round < WHOLE_PROCESS_ROUNDS; round++) {
      const psqlUrl = await freshDatabase(cluster, `psql_${round}`);
      psqlMs.push(timedProcess(psql, ['-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-f', script, psqlUrl]).ms);
      const viaNpx = timedProcess(
        'npx',
        ['stepmigrate', ...runArgs(await freshDatabase(cluster, `npx_${round}`))],
        npx,
      );
      npxMs.push(viaNpx.ms);
      npxCpu.push(viaNpx.cpuMs);
      summaryMs.push(summarySeconds(viaNpx.stdout) * 1000);
      const fromConsumer = timedProcess(
        'npx',
        ['stepmigrate', ...runArgs(await freshDatabase(cluster, `consumer_${round}`))],
        npx,
        consumer,
      );
      consumerMs.push(fromConsumer.ms);
      const viaNode = timedProcess(process.execPath, [
        cli,
        ...runArgs(await freshDatabase(cluster, `node_${round}`)),
      ]);
      nodeMs.push(viaNode.ms);
      nodeCpu.push(viaNode.cpuMs);
      const printed = printedStepMs(viaNode.stdout);
      validateMs.push(printed.validateMs);
      applyMs.push(printed.applyMs);
      npxFloor.push(timedProcess('npx', ['stepmigrate', '--version'], npx).ms);
      nodeVersion.push(timedProcess(process.execPath, [cli, '--version']).ms);
    }
    const floor = Math.round(median(psqlMs));
    const viaNpx = Math.round(median(npxMs));
    const viaConsumer = Math.round(median(consumerMs));
    const summaryLine = Math.round(median(summaryMs));
    const psqlRow = { what: 'the same SQL in one `psql -1`', value: floor };
    return {
      summary: [
        {
          what: `${WHOLE_PROCESS_MIGRATIONS} small migrations, whole \`npx stepmigrate run\``,
          value: viaNpx,
          unit: 'ms',
          beside: psqlRow,
          target: `≤ psql + ${WHOLE_PROCESS_BUDGET_MS} ms`,
          met: viaNpx - floor <= WHOLE_PROCESS_BUDGET_MS,
        },
        {
          what: `the same, from a project that installed stepmigrate (\`npx\` finds node_modules/.bin/stepmigrate)`,
          value: viaConsumer,
          unit: 'ms',
          beside: psqlRow,
          target: `≤ psql + ${WHOLE_PROCESS_BUDGET_MS} ms`,
          met: viaConsumer - floor <= WHOLE_PROCESS_BUDGET_MS,
        },
        {
          what: 'the `npx stepmigrate run` in this repository: its own summary line',
          value: summaryLine,
          unit: 'ms',
          beside: psqlRow,
        },
        {
          what: `${WHOLE_PROCESS_MIGRATIONS} small migrations, whole \`node bin/stepmigrate.js run\` (no npx)`,
          value: Math.round(median(nodeMs)),
          unit: 'ms',
          beside: psqlRow,
          target: `our aim: ≤ ${NODE_PROCESS_TARGET_MS} ms (the budget less npx's share)`,
          met: median(nodeMs) <= NODE_PROCESS_TARGET_MS,
        },
        {
          what: 'that run: Validate, as it prints it',
          value: Math.round(median(validateMs)),
          unit: 'ms',
        },
        {
          what: 'that run: each Apply step (median of its 20), as it prints them',
          value: Math.round(median(applyMs)),
          unit: 'ms',
          beside: {
            what: `one migration's share of that \`psql -1\``,
            value: Math.round((floor / WHOLE_PROCESS_MIGRATIONS) * 10) / 10,
          },
        },
        {
          what: '`npx stepmigrate --version`: what npx alone adds to every command',
          value: Math.round(median(npxFloor)),
          unit: 'ms',
          beside: { what: '`node bin/stepmigrate.js --version`', value: Math.round(median(nodeVersion)) },
        },
      ],
      detail: {
        server: 'Debian PostgreSQL 15',
        migrations: WHOLE_PROCESS_MIGRATIONS,
        rounds: WHOLE_PROCESS_ROUNDS,
        psqlOneTransactionMs: floor,
        npxRunMs: viaNpx,
        npxOverPsqlMs: viaNpx - floor,
        consumerNpxRunMs: viaConsumer,
        nodeBinRunMs: Math.round(median(nodeMs)),
        npxRunCpuMs: Math.round(median(npxCpu)),
        nodeBinRunCpuMs: Math.round(median(nodeCpu)),
        nodeBinValidateMs: Math.round(median(validateMs)),
        nodeBinApplyStepMs: Math.round(median(applyMs)),
        summaryLineMs: summaryLine,
        npxVersionMs: Math.round(median(npxFloor)),
        nodeBinVersionMs: Math.round(median(nodeVersion)),
        note: 'npxVersionMs is `npx stepmigrate --version`: npm resolving the project and its tree before our CLI starts, part of every `npx stepmigrate`',
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await cluster.stop();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const wholeProcess = await wholeProcessRun();
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
      summary: wholeProcess.summary,
      wholeProcess: wholeProcess.detail,
      migrations: (await loadMigrations(MIGRATIONS)).migrations.length,
      rounds: ROUNDS,
      directSqlMs: Math.round(directMs),
      localRunMs: Math.round(workflowMs),
      overheadMs: Math.round(workflowMs - directMs),
      overheadFactor: Math.round((workflowMs / directMs) * 10) / 10,
      synthesizeDefinitionMs: Math.round(synthMs),
      synthesizeInRunnerMs: cold.synthMs,
      cachedDefinitionMs: Math.round(cachedMs),
      stepsOfLastRun: Object.fromEntries(lastSteps.map((s) => [s.name, s.durationMs])),
      note: 'localRunMs excludes process start-up and the one-off synthesis (cached after the first run)',
    };
  } finally {
    await rm(projectDir, { recursive: true, force: true });
    await cluster.stop();
  }
}
