// How fast the CLI answers: `--help`, `--version`, `status`, `plan` and `lint` of the sample
// migrations, each a whole `node bin/stepmigrate.js` process, compiled (what `npm install`
// builds) and through tsx (what runs while a source is edited), beside the floor (`node -e
// 0`) and the peer Squawk (its native binary: `--help`, and the same sample files) measured
// in the same run. Targets: --help ≤ 250 ms, status ≤ 600 ms, lint ≤ 700 ms.
// Reported, never asserted. Run alone: `npm run bench startup`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startTemporaryCluster } from '../../cli/local/embedded-postgres.ts';
import { PROJECT_ROOT } from '../../cli/local-runner/definition-cache.ts';
import { buildCli } from '../../cli-build/build.js';
import { chooseEntry } from '../../cli-build/launch.js';
import { childrenCpuMs } from './child-cpu.ts';
import { median } from './median.ts';
import type { SummaryRow } from './summary-rows.ts';

const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 7);
const CLI = join(PROJECT_ROOT, 'bin', 'stepmigrate.js');
const SQUAWK_BINARY = join(PROJECT_ROOT, 'node_modules', '@squawk-cli', 'linux-x64', 'bin', 'squawk');
const SAMPLES = readdirSync(join(PROJECT_ROOT, 'migrations'))
  .filter((file) => file.endsWith('.sql'))
  .map((file) => join('migrations', file));

interface TimedOptions {
  env?: NodeJS.ProcessEnv;
  /** Exit codes that count as success (Squawk exits 1 when it has findings). */
  codes?: number[];
  rounds?: number;
}

interface Timing {
  /** Median wall time, ms. */
  wall: number;
  /** Median CPU time (user + system), ms; undefined without /proc. */
  cpu: number | undefined;
}

/** A whole process, timed ROUNDS times after one unmeasured run (warm file cache). */
function timed(command: string, args: string[], options: TimedOptions = {}): Timing {
  const codes = options.codes ?? [0];
  const run = () => {
    const cpuBefore = childrenCpuMs();
    const started = performance.now();
    const result = spawnSync(command, args, {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', ...options.env },
      stdio: 'ignore',
    });
    const wall = performance.now() - started;
    if (!codes.includes(result.status ?? -1))
      throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
    const cpuAfter = childrenCpuMs();
    return {
      wall,
      cpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    };
  };
  run();
  const runs = Array.from({ length: options.rounds ?? ROUNDS }, run);
  const cpus = runs.map((r) => r.cpu).filter((cpu): cpu is number => cpu !== undefined);
  return {
    wall: Math.round(median(runs.map((r) => r.wall))),
    cpu: cpus.length === runs.length ? Math.round(median(cpus)) : undefined,
  };
}

function row(
  what: string,
  ours: Timing,
  beside: { what: string; timing: Timing },
  target?: number,
): SummaryRow[] {
  const rows: SummaryRow[] = [
    {
      what,
      value: ours.wall,
      unit: 'ms',
      beside: { what: beside.what, value: beside.timing.wall },
      ...(target === undefined ? {} : { target: `≤ ${target} ms`, met: ours.wall <= target }),
    },
  ];
  // CPU time moves much less with the machine's load than wall time: the steadier comparison.
  if (ours.cpu !== undefined && beside.timing.cpu !== undefined)
    rows.push({
      what: `${what}: CPU time`,
      value: ours.cpu,
      unit: 'ms',
      beside: { what: beside.what, value: beside.timing.cpu },
    });
  return rows;
}

export async function run(): Promise<Record<string, unknown>> {
  // What `npm install` leaves: a build that matches the sources.
  if (!chooseEntry('main', 'cli/main.ts', { mode: 'auto' }).compiled) await buildCli();
  const cluster = await startTemporaryCluster();
  try {
    const database = ['--database-url', cluster.url];
    const tsx = { env: { STEPMIGRATE_LAUNCH: 'tsx' }, rounds: Math.min(ROUNDS, 3) };
    const compiled = { env: { STEPMIGRATE_LAUNCH: 'compiled' } };
    const floor = timed(process.execPath, ['-e', '0']);
    const squawk = existsSync(SQUAWK_BINARY);
    const squawkHelp = squawk ? timed(SQUAWK_BINARY, ['--help']) : undefined;
    const squawkLint = squawk ? timed(SQUAWK_BINARY, SAMPLES, { codes: [0, 1] }) : undefined;
    const help = timed(process.execPath, [CLI, '--help'], compiled);
    const version = timed(process.execPath, [CLI, '--version'], compiled);
    const status = timed(process.execPath, [CLI, 'status', ...database], compiled);
    const plan = timed(process.execPath, [CLI, 'plan', ...database], compiled);
    const lint = timed(process.execPath, [CLI, 'lint'], compiled);
    const tsxHelp = timed(process.execPath, [CLI, '--help'], tsx);
    const tsxStatus = timed(process.execPath, [CLI, 'status', ...database], tsx);
    const tsxLint = timed(process.execPath, [CLI, 'lint'], tsx);

    const node = { what: '`node -e 0`', timing: floor };
    const summary: SummaryRow[] = [
      ...row('`stepmigrate --help`, compiled', help, node, 250),
      ...(squawkHelp === undefined
        ? []
        : row('`stepmigrate --help`, compiled', help, { what: '`squawk --help`', timing: squawkHelp })),
      ...row('`stepmigrate status`, compiled', status, node, 600),
      ...row(
        '`stepmigrate lint` of the samples, compiled',
        lint,
        squawkLint === undefined ? node : { what: 'Squawk on the same files', timing: squawkLint },
        700,
      ),
      ...row('`stepmigrate --help` through tsx (a source edited since the build)', tsxHelp, node),
    ];
    const ratio = (timing: Timing) => Math.round((timing.wall / floor.wall) * 10) / 10;
    return {
      summary,
      rounds: ROUNDS,
      note: 'wall and CPU (user + system) medians in ms; CPU time is the steadier number on a shared machine',
      nodeFloor: floor,
      squawkHelp: squawkHelp ?? 'squawk not installed',
      squawkLintSamples: squawkLint ?? 'squawk not installed',
      compiled: { help, helpOverFloor: ratio(help), version, status, plan, lintSamples: lint },
      tsx: { help: tsxHelp, status: tsxStatus, lintSamples: tsxLint },
      targetsMs: { help: 250, status: 600, lint: 700 },
    };
  } finally {
    await cluster.stop();
  }
}
