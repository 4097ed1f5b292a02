// What the deployed suite reports about cold starts: per function, its bundle and the
// process start + import of every invocation (each is a fresh process, so each is a cold
// start), beside the floor measured in the same run, a `node` process that imports nothing.
// Targets: bundle ≤ 600 KB, cold start ≤ 300 ms. Reported, never asserted: on a
// shared machine the numbers say how loaded it was as much as how fast the bundle loads.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DeployedLambda } from './lambda-process.ts';

export const BUNDLE_TARGET_KB = 600;
export const COLD_START_TARGET_MS = 300;

export interface ColdStartRow {
  function: string;
  bundleKb: number;
  invocations: number;
  medianMs: number;
  minMs: number;
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** The step (or notifier) a logical id names: WorkflowValidateStepFunction… → Validate. */
export function functionName(logicalId: string): string {
  return /^Workflow(?:Notifications)?(\w+?)(?:Step|Function)/.exec(logicalId)?.[1] ?? logicalId;
}

export function coldStartRows(lambdas: Iterable<DeployedLambda>): ColdStartRow[] {
  const rows: ColdStartRow[] = [];
  for (const lambda of lambdas) {
    const times = lambda.invocations.map((invocation) => invocation.coldStartMs);
    if (times.length === 0) continue;
    rows.push({
      function: functionName(lambda.fn.logicalId),
      bundleKb: Math.round(statSync(join(lambda.taskDir, 'index.mjs')).size / 102.4) / 10,
      invocations: times.length,
      medianMs: median(times),
      minMs: Math.min(...times),
    });
  }
  return rows;
}

/** Process start to exit of `node` importing nothing, with the flags the functions run with (median of `rounds`). */
export function nodeFloorMs(rounds = 3): number {
  const times = Array.from({ length: rounds }, () => {
    const started = performance.now();
    spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', 'process.exit(0)'], {
      stdio: 'ignore',
    });
    return performance.now() - started;
  });
  return Math.round(median(times));
}

export function coldStartReport(rows: readonly ColdStartRow[], floorMs: number): string {
  const lines = [
    `[deployed] cold start (process start + import; floor \`node\` importing nothing: ${floorMs} ms; targets ≤ ${COLD_START_TARGET_MS} ms, bundle ≤ ${BUNDLE_TARGET_KB} KB)`,
  ];
  for (const row of rows) {
    const met = row.medianMs <= COLD_START_TARGET_MS && row.bundleKb <= BUNDLE_TARGET_KB ? 'met' : 'not met';
    lines.push(
      `[deployed]   ${row.function.padEnd(16)} ${String(row.bundleKb).padStart(6)} KB  median ${String(row.medianMs).padStart(4)} ms  min ${String(row.minMs).padStart(4)} ms  (${row.invocations} invocations, ${met})`,
    );
  }
  return `${lines.join('\n')}\n`;
}
