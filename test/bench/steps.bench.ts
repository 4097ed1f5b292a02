// What one workflow step costs over its own SQL, through the real handlers and the local
// adapters (the same composition `stepmigrate run` uses): each Apply step of a run of small
// migrations beside the same up sections sent over one open connection, and Validate of 20
// and of 500 migrations beside loading the same files. Reported, never asserted.
// Run alone: `npm run bench steps`.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startTemporaryCluster, type TemporaryCluster } from '../../cli/local/embedded-postgres.ts';
import { localDependencies } from '../../cli/local-runner/local-dependencies.ts';
import { loadMigrations } from '../../lambdas/engine/loader/load.ts';
import type { RunState } from '../../lambdas/engine/run-state.ts';
import { createHandlers } from '../../lambdas/handlers/create-handlers.ts';
import { freshDatabase } from './fresh-database.ts';
import { median } from './median.ts';
import type { SummaryRow } from './summary-rows.ts';

const APPLY_STEPS = Number(process.env.BENCH_STEPS_APPLY ?? 20);
const ROUNDS = Number(process.env.BENCH_STEPS_ROUNDS ?? 3);
const VALIDATE_SIZES = [20, 500];

const round1 = (n: number) => Math.round(n * 10) / 10;

/** A small, realistic migration: a table, an index, a column default; transactional. */
function migrationFile(n: number): string {
  return [
    '-- migrate:up',
    `CREATE TABLE app.t_${n} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`,
    `CREATE INDEX t_${n}_name_idx ON app.t_${n} (name);`,
    `COMMENT ON TABLE app.t_${n} IS 'bench table ${n}';`,
    '',
    '-- migrate:down',
    `DROP TABLE app.t_${n};`,
    '',
    '-- migrate:verify',
    `SELECT id, name FROM app.t_${n} WHERE false;`,
    '',
  ].join('\n');
}

async function writeProject(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stepmigrate-bench-steps-'));
  await mkdir(join(dir, 'migrations'));
  await writeFile(
    join(dir, 'migrations', '0001_app_schema.sql'),
    '-- migrate:up\nCREATE SCHEMA app;\n\n-- migrate:down\nDROP SCHEMA app;\n',
  );
  for (let n = 2; n <= count; n++) {
    await writeFile(
      join(dir, 'migrations', `${String(n).padStart(4, '0')}_table_${n}.sql`),
      migrationFile(n),
    );
  }
  return dir;
}

/** The floor: each up section in its own transaction, timed one by one, over one open connection. */
async function sqlAlone(url: string, projectDir: string): Promise<number[]> {
  const { migrations } = await loadMigrations(join(projectDir, 'migrations'));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const times: number[] = [];
  try {
    for (const migration of migrations) {
      const started = performance.now();
      await client.query(`BEGIN;\n${migration.up.sql}\nCOMMIT;`);
      times.push(performance.now() - started);
    }
  } finally {
    await client.end();
  }
  return times;
}

type LocalDeps = Awaited<ReturnType<typeof localDependencies>>['deps'];

/** The real handlers over the local adapters of a bench project, closed once `use` is done. */
async function withHandlers<T>(
  url: string,
  projectDir: string,
  use: (handlers: ReturnType<typeof createHandlers>, deps: LocalDeps) => Promise<T>,
): Promise<T> {
  const local = await localDependencies({
    projectDir,
    migrationsDir: join(projectDir, 'migrations'),
    databaseUrl: url,
    approval: 'refuse',
  });
  try {
    return await use(createHandlers(local.deps), local.deps);
  } finally {
    await local.close();
  }
}

/**
 * Validate, then every Apply through the real handlers (or, `engineOnly`, the engine's
 * applyPlanStep without the audit and metrics middleware), each timed; then Report gives the
 * lease back.
 */
function stepsThroughHandlers(url: string, projectDir: string, executionId: string, engineOnly = false) {
  return withHandlers(url, projectDir, async (handlers, deps) => {
    const validateStarted = performance.now();
    const run = (await handlers.validate({ executionId, input: {} } as never)) as RunState;
    const validateMs = performance.now() - validateStarted;
    const apply: number[] = [];
    for (const step of run.plan.steps) {
      const engine = await deps.engine();
      const started = performance.now();
      if (engineOnly) await deps.steps.applyPlanStep(engine, run, step);
      else await handlers.apply({ executionId, run, step } as never);
      apply.push(performance.now() - started);
    }
    await handlers.report({ executionId, state: { run } } as never);
    return { validateMs, apply };
  });
}

interface ValidateTimes {
  loadMs: number;
  /** The first Validate of the process (a cold Lambda, a CLI run), then the next one (a warm Lambda). */
  coldMs: number;
  warmMs: number;
  pending: number;
}

/** The handlers over a project, their first and second Validate timed, then Report gives the lease back. */
async function timeValidate(url: string, projectDir: string, executionId: string): Promise<ValidateTimes> {
  const loadStarted = performance.now();
  await loadMigrations(join(projectDir, 'migrations'));
  const loadMs = performance.now() - loadStarted;
  return withHandlers(url, projectDir, async (handlers) => {
    const coldStarted = performance.now();
    const run = (await handlers.validate({ executionId, input: {} } as never)) as RunState;
    const coldMs = performance.now() - coldStarted;
    const warmStarted = performance.now();
    await handlers.validate({ executionId, input: {} } as never);
    const warmMs = performance.now() - warmStarted;
    await handlers.report({ executionId, state: { run } } as never);
    return { loadMs, coldMs, warmMs, pending: run.plan.steps.length };
  });
}

/**
 * Validate of `count` migrations on a fresh database, all pending (a first run); then, once
 * they are applied and one more file is added, with one pending (every later run).
 */
async function validateOf(cluster: TemporaryCluster, count: number, round: number) {
  const projectDir = await writeProject(count);
  try {
    const url = await freshDatabase(cluster, `validate_${count}_${round}`);
    const allPending = await timeValidate(url, projectDir, `bench-validate-${count}-${round}`);
    await stepsThroughHandlers(url, projectDir, `bench-apply-${count}-${round}`);
    await writeFile(
      join(projectDir, 'migrations', `${String(count + 1).padStart(4, '0')}_add_note.sql`),
      '-- migrate:up\nALTER TABLE app.t_2 ADD COLUMN note text;\n\n-- migrate:down\nALTER TABLE app.t_2 DROP COLUMN note;\n',
    );
    const onePending = await timeValidate(url, projectDir, `bench-validate-one-${count}-${round}`);
    return { allPending, onePending };
  } finally {
    await rm(projectDir, { recursive: true, force: true });
  }
}

const medianOf = (times: ValidateTimes[]): ValidateTimes => ({
  loadMs: round1(median(times.map((t) => t.loadMs))),
  coldMs: round1(median(times.map((t) => t.coldMs))),
  warmMs: round1(median(times.map((t) => t.warmMs))),
  pending: times[0]?.pending ?? 0,
});

export async function run(): Promise<Record<string, unknown>> {
  const loadBefore = loadavg()[0];
  const cluster = await startTemporaryCluster();
  const projectDir = await writeProject(APPLY_STEPS);
  try {
    const floor: number[] = [];
    const apply: number[] = [];
    const engineApply: number[] = [];
    const validate20InRun: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      floor.push(...(await sqlAlone(await freshDatabase(cluster, `floor_${round}`), projectDir)));
      const result = await stepsThroughHandlers(
        await freshDatabase(cluster, `steps_${round}`),
        projectDir,
        `bench-steps-${round}`,
      );
      apply.push(...result.apply);
      validate20InRun.push(result.validateMs);
      const direct = await stepsThroughHandlers(
        await freshDatabase(cluster, `engine_${round}`),
        projectDir,
        `bench-engine-${round}`,
        true,
      );
      engineApply.push(...direct.apply);
    }
    const validate: Record<string, { allPending: ValidateTimes; onePending: ValidateTimes }> = {};
    for (const count of VALIDATE_SIZES) {
      const rounds = [];
      for (let round = 0; round < ROUNDS; round++) rounds.push(await validateOf(cluster, count, round));
      validate[count] = {
        allPending: medianOf(rounds.map((r) => r.allPending)),
        onePending: medianOf(rounds.map((r) => r.onePending)),
      };
    }
    const applyMs = round1(median(apply));
    const floorMs = round1(median(floor));
    const engineMs = round1(median(engineApply));
    const summary: SummaryRow[] = [
      {
        what: `each Apply step (median of ${apply.length}), through the handler`,
        value: applyMs,
        unit: 'ms',
        beside: { what: 'its up section alone over an open connection', value: floorMs },
        target: '≤ 10 ms more than its SQL',
        met: applyMs - floorMs <= 10,
      },
      {
        what: `each Apply step in the engine alone (no audit or metrics middleware), median of ${engineApply.length}`,
        value: engineMs,
        unit: 'ms',
        beside: { what: 'its up section alone over an open connection', value: floorMs },
        target: '≤ 10 ms more than its SQL',
        met: engineMs - floorMs <= 10,
      },
      ...VALIDATE_SIZES.flatMap((count): SummaryRow[] => {
        const { allPending, onePending } = validate[count]!;
        const beside = { what: 'loading the same files alone', value: allPending.loadMs };
        return [
          {
            what: `Validate of ${count} migrations, all pending, first of the process`,
            value: allPending.coldMs,
            unit: 'ms',
            beside,
          },
          {
            what: `Validate of ${count} migrations, one pending, first of the process`,
            value: onePending.coldMs,
            unit: 'ms',
            beside,
          },
          {
            what: `Validate of ${count} migrations, one pending, warm`,
            value: onePending.warmMs,
            unit: 'ms',
            beside,
          },
        ];
      }),
    ];
    return {
      summary,
      loadAverageBefore: round1(loadBefore),
      loadAverageAfter: round1(loadavg()[0]),
      applySteps: APPLY_STEPS,
      rounds: ROUNDS,
      applyStepMs: {
        median: applyMs,
        min: round1(Math.min(...apply)),
        max: round1(Math.max(...apply)),
      },
      sqlAloneMs: { median: floorMs, min: round1(Math.min(...floor)), max: round1(Math.max(...floor)) },
      overheadPerStepMs: round1(applyMs - floorMs),
      engineApplyStepMs: {
        median: engineMs,
        min: round1(Math.min(...engineApply)),
        max: round1(Math.max(...engineApply)),
      },
      engineOverheadPerStepMs: round1(engineMs - floorMs),
      validateInRunMs: round1(median(validate20InRun)),
      validate,
    };
  } finally {
    await rm(projectDir, { recursive: true, force: true });
    await cluster.stop();
  }
}
