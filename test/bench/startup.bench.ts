// How fast the CLI answers: `--help`, `--version`, `status`, `plan` and `lint` of the sample
// migrations, each a whole `node bin/stepmigrate.js` process, compiled (what `npm install`
// builds) and through tsx (what runs while a source is edited), beside the floor (`node -e
// 0`) and the peer Squawk (its native binary: `--help`, and the same sample files) measured
// in the same run. Targets (issue 16): --help ≤ 250 ms, status ≤ 600 ms, lint ≤ 700 ms.
// Reported, never asserted. Run alone: `npm run bench startup`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startTemporaryCluster } from '../../cli/local/embedded-postgres.ts';
import { PROJECT_ROOT } from '../../cli/local-runner/definition-cache.ts';
import { buildCli } from '../../cli-build/build.js';
import { chooseEntry } from '../../cli-build/launch.js';
import type { SummaryRow } from './summary-rows.ts';

const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 7);
const CLI = join(PROJECT_ROOT, 'bin', 'stepmigrate.js');
const SQUAWK_BINARY = join(PROJECT_ROOT, 'node_modules', '@squawk-cli', 'linux-x64', 'bin', 'squawk');
const SAMPLES = readdirSync(join(PROJECT_ROOT, 'migrations'))
  .filter((file) => file.endsWith('.sql'))
  .map((file) => join('migrations', file));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0);
}

interface TimedOptions {
  env?: NodeJS.ProcessEnv;
  /** Exit codes that count as success (Squawk exits 1 when it has findings). */
  codes?: number[];
  rounds?: number;
}

/** Median wall time of a whole process, in ms, after one unmeasured run (warm file cache). */
function timed(command: string, args: string[], options: TimedOptions = {}): number {
  const codes = options.codes ?? [0];
  const run = () => {
    const started = performance.now();
    const result = spawnSync(command, args, {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', ...options.env },
      stdio: 'ignore',
    });
    if (!codes.includes(result.status ?? -1))
      throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
    return performance.now() - started;
  };
  run();
  return median(Array.from({ length: options.rounds ?? ROUNDS }, run));
}

const row = (
  what: string,
  value: number,
  beside: { what: string; value: number } | undefined,
  target?: number,
): SummaryRow => ({
  what,
  value,
  unit: 'ms',
  ...(beside ? { beside } : {}),
  ...(target === undefined ? {} : { target: `≤ ${target} ms`, met: value <= target }),
});

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

    const node = { what: '`node -e 0`', value: floor };
    const summary: SummaryRow[] = [
      row('`stepmigrate --help`, compiled', help, node, 250),
      ...(squawkHelp === undefined
        ? []
        : [
            row('`stepmigrate --help`, compiled, beside Squawk', help, {
              what: '`squawk --help`',
              value: squawkHelp,
            }),
          ]),
      row('`stepmigrate status`, compiled', status, node, 600),
      row(
        '`stepmigrate lint` of the samples, compiled',
        lint,
        squawkLint === undefined ? node : { what: 'Squawk on the same files', value: squawkLint },
        700,
      ),
      row('`stepmigrate --help` through tsx (a source edited since the build)', tsxHelp, node),
    ];
    const ratio = (ms: number) => Math.round((ms / floor) * 10) / 10;
    return {
      summary,
      rounds: ROUNDS,
      nodeFloorMs: floor,
      squawkHelpMs: squawkHelp ?? 'squawk not installed',
      squawkLintSamplesMs: squawkLint ?? 'squawk not installed',
      compiled: {
        helpMs: help,
        helpOverFloor: ratio(help),
        versionMs: version,
        statusMs: status,
        planMs: plan,
        lintSamplesMs: lint,
      },
      tsx: { helpMs: tsxHelp, statusMs: tsxStatus, lintSamplesMs: tsxLint },
      targetsMs: { help: 250, status: 600, lint: 700 },
    };
  } finally {
    await cluster.stop();
  }
}
