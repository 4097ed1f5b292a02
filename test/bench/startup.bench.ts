// How fast the CLI answers: `--help`, `status` and `lint` of the sample migrations, each a
// whole `node bin/stepmigrate.js` process, beside the floor (`node -e 0`) and a peer (Squawk's
// `--help`, a native binary) measured in the same run. Targets (issue 16): --help ≤ 250 ms,
// status ≤ 600 ms, lint ≤ 700 ms. Reported, never asserted. Run alone: `npm run bench startup`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startTemporaryCluster } from '../../cli/local/embedded-postgres.ts';
import { PROJECT_ROOT } from '../../cli/local-runner/definition-cache.ts';

const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 7);
const CLI = join(PROJECT_ROOT, 'bin', 'stepmigrate.js');
const SQUAWK = join(PROJECT_ROOT, 'node_modules', '.bin', 'squawk');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0);
}

/** Median wall time of a whole process, in ms; one unmeasured run first warms the tsx cache. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const run = () => {
    const started = performance.now();
    const result = spawnSync(command, args, {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', ...env },
      stdio: 'ignore',
    });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
    return performance.now() - started;
  };
  run();
  return median(Array.from({ length: ROUNDS }, run));
}

export async function run(): Promise<Record<string, unknown>> {
  const cluster = await startTemporaryCluster();
  try {
    const floor = timed(process.execPath, ['-e', '0']);
    const help = timed(process.execPath, [CLI, '--help']);
    const version = timed(process.execPath, [CLI, '--version']);
    const status = timed(process.execPath, [CLI, 'status', '--database-url', cluster.url]);
    const lint = timed(process.execPath, [CLI, 'lint']);
    const squawk = existsSync(SQUAWK) ? timed(SQUAWK, ['--help']) : undefined;
    const ratio = (ms: number) => Math.round((ms / floor) * 10) / 10;
    return {
      rounds: ROUNDS,
      nodeFloorMs: floor,
      squawkHelpMs: squawk ?? 'squawk not installed',
      helpMs: help,
      helpTargetMs: 250,
      helpOverFloor: ratio(help),
      versionMs: version,
      statusMs: status,
      statusTargetMs: 600,
      statusOverFloor: ratio(status),
      lintSamplesMs: lint,
      lintTargetMs: 700,
      lintOverFloor: ratio(lint),
    };
  } finally {
    await cluster.stop();
  }
}
