// Lambda bundles: builds every Lambda's package with the function the MigrationWorkflow
// construct's assets call (bundleLambdaPackage, infra/bundling.ts) and reports, per function, the bundle,
// gzipped, the whole package (source map, parser WebAssembly, migrations), and its cold start:
// a fresh `node` process that imports the bundle and exits, started in the package directory
// with the flags the construct sets (--enable-source-maps), beside the floor (the same process
// importing nothing) and a peer (a bundle of one DynamoDB PutItem, built the same way).
// Targets: each bundle ≤ 600 KB, each cold start ≤ 300 ms. Reported, never asserted.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../../infra/bundling.ts';
import { STEP_FUNCTION_NAMES } from '../../infra/workflow-states.ts';
import { buildLambdaPackage, buildStepPackage, type LambdaEntryName } from '../support/lambda-bundle.ts';
import { median } from './median.ts';
import type { SummaryRow } from './summary-rows.ts';

const ROUNDS = Number(process.env.BENCH_BUNDLE_ROUNDS ?? 7);
const BUNDLE_TARGET_KB = 600;
const COLD_START_TARGET_MS = 300;
const FUNCTIONS: readonly LambdaEntryName[] = [...STEP_FUNCTION_NAMES, 'notify-failure'];
const PEER_ENTRY = join(PROJECT_ROOT, 'test', 'bench', 'fixtures', 'dynamodb-only-handler.ts');
const PEER = 'peerDynamoDbOnly';
const FLOOR = 'floor';

// What the Lambda runtime does before the first invocation, as far as cold start goes: load
// the handler's module. The process reports its own CPU time, steadier than wall time on a
// shared machine.
const IMPORT_AND_EXIT = `
if (process.argv[1]) await import(process.argv[1]);
const cpu = process.cpuUsage();
process.stdout.write(String((cpu.user + cpu.system) / 1000));
process.exit(0);
`;

const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;

async function directoryBytes(directory: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    total += entry.isDirectory() ? await directoryBytes(path) : (await stat(path)).size;
  }
  return total;
}

interface ColdStart {
  /** Spawn to exit of a process that imports the bundle (median ms). */
  wallMs: number;
  /** That process's user + system CPU time (median ms). */
  cpuMs: number;
}

/** One fresh process in `cwd` that imports `module` (none: the floor) and exits. */
function importOnce(cwd: string, module?: string): ColdStart {
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    ['--enable-source-maps', '--input-type=module', '-e', IMPORT_AND_EXIT, ...(module ? [module] : [])],
    { cwd, env: { PATH: process.env.PATH, TZ: 'UTC' }, encoding: 'utf8' },
  );
  const wallMs = performance.now() - started;
  if (result.status !== 0) throw new Error(`importing ${module} failed: ${result.stderr.slice(-500)}`);
  return { wallMs, cpuMs: Number(result.stdout) };
}

/**
 * Cold starts of every package, the floor and the peer, measured round by round in turn, so
 * a burst of load on the shared machine hits them all alike. One unmeasured round first.
 */
function coldStarts(packages: Record<string, { cwd: string; module?: string }>): Record<string, ColdStart> {
  const runs: Record<string, ColdStart[]> = {};
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [name, { cwd, module }] of Object.entries(packages)) {
      const measured = importOnce(cwd, module);
      if (round === 0) continue;
      runs[name] = [...(runs[name] ?? []), measured];
    }
  }
  return Object.fromEntries(
    Object.entries(runs).map(([name, list]) => [
      name,
      {
        wallMs: Math.round(median(list.map((r) => r.wallMs))),
        cpuMs: Math.round(median(list.map((r) => r.cpuMs))),
      },
    ]),
  );
}

async function packageSizes(packageDir: string) {
  const code = await readFile(join(packageDir, 'index.mjs'));
  const map = await stat(join(packageDir, 'index.mjs.map'));
  const wasm = await stat(join(packageDir, 'libpg-query.wasm')).catch(() => undefined);
  return {
    bundleKb: kb(code.length),
    bundleGzipKb: kb(gzipSync(code).length),
    sourceMapKb: kb(map.size),
    parserWasmKb: kb(wasm?.size ?? 0),
    packageKb: kb(await directoryBytes(packageDir)),
  };
}

type Sizes = Awaited<ReturnType<typeof packageSizes>>;

export async function run(): Promise<Record<string, unknown>> {
  const outdir = await mkdtemp(join(tmpdir(), 'stepmigrate-bundles-'));
  const results: Record<string, unknown> = {};
  const summary: SummaryRow[] = [];
  try {
    const built: Record<string, Sizes & { buildMs: number }> = {};
    for (const fn of [PEER, ...FUNCTIONS] as const) {
      const packageDir = join(outdir, fn);
      try {
        const started = Date.now();
        if (fn === PEER) buildLambdaPackage(PEER_ENTRY, packageDir);
        else buildStepPackage(fn, packageDir);
        built[fn] = { buildMs: Date.now() - started, ...(await packageSizes(packageDir)) };
      } catch (error) {
        results[fn] = { error: error instanceof Error ? error.message : String(error) };
      }
    }
    const cold = coldStarts({
      [FLOOR]: { cwd: outdir },
      ...Object.fromEntries(
        Object.keys(built).map((fn) => [
          fn,
          { cwd: join(outdir, fn), module: join(outdir, fn, 'index.mjs') },
        ]),
      ),
    });
    const floor = cold[FLOOR]!;
    const peer = built[PEER];
    results[FLOOR] = { coldStart: floor };
    for (const [fn, sizes] of Object.entries(built)) {
      const coldStart = cold[fn]!;
      results[fn] = { ...sizes, coldStart };
      if (fn === PEER) continue;
      summary.push(
        {
          what: `${fn} bundle (index.mjs)`,
          value: sizes.bundleKb,
          unit: 'KB',
          ...(peer ? { beside: { what: 'DynamoDB-only bundle', value: peer.bundleKb } } : {}),
          target: `≤ ${BUNDLE_TARGET_KB} KB`,
          met: sizes.bundleKb <= BUNDLE_TARGET_KB,
        },
        {
          what: `${fn} cold start (process start + import, wall)`,
          value: coldStart.wallMs,
          unit: 'ms',
          beside: { what: '`node` importing nothing', value: floor.wallMs },
          target: `≤ ${COLD_START_TARGET_MS} ms`,
          met: coldStart.wallMs <= COLD_START_TARGET_MS,
        },
      );
    }
    if (cold[PEER]) {
      summary.push({
        what: 'DynamoDB-only peer cold start (wall)',
        value: cold[PEER].wallMs,
        unit: 'ms',
        beside: { what: '`node` importing nothing', value: floor.wallMs },
      });
    }
    results.migrationsKb = kb(await directoryBytes(join(PROJECT_ROOT, 'migrations')));
    results.rounds = ROUNDS;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
  return { ...results, summary };
}
