// Lambda bundle sizes: builds every step's package with the settings the MigrationWorkflow
// construct gives NodejsFunction (infra/bundling.ts) and reports the bundle, gzipped, and the
// whole package (source map, parser WebAssembly, migrations).
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../../infra/bundling.ts';
import { STEP_FUNCTION_NAMES, type StepFunctionName } from '../../infra/workflow-states.ts';
import { buildStepPackage } from '../support/lambda-bundle.ts';

const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;

async function directoryBytes(directory: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    total += entry.isDirectory() ? await directoryBytes(path) : (await stat(path)).size;
  }
  return total;
}

async function bundleStep(step: StepFunctionName, outdir: string): Promise<Record<string, unknown>> {
  const packageDir = join(outdir, step);
  const started = Date.now();
  await buildStepPackage(step, packageDir);
  const buildMs = Date.now() - started;
  const code = await readFile(join(packageDir, 'index.mjs'));
  const map = await stat(join(packageDir, 'index.mjs.map'));
  const wasm = await stat(join(packageDir, 'libpg-query.wasm')).catch(() => undefined);
  return {
    bundleKb: kb(code.length),
    bundleGzipKb: kb(gzipSync(code).length),
    sourceMapKb: kb(map.size),
    parserWasmKb: kb(wasm?.size ?? 0),
    packageKb: kb(await directoryBytes(packageDir)),
    buildMs,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const outdir = await mkdtemp(join(tmpdir(), 'stepmigrate-bundles-'));
  const results: Record<string, unknown> = {};
  try {
    for (const step of STEP_FUNCTION_NAMES) {
      try {
        results[step] = await bundleStep(step, outdir);
      } catch (error) {
        const first = (error as { errors?: { text: string }[] }).errors?.[0]?.text;
        results[step] = { error: first ?? (error instanceof Error ? error.message : String(error)) };
      }
    }
    results.migrationsKb = kb(await directoryBytes(join(PROJECT_ROOT, 'migrations')));
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
  return results;
}
