// Lambda bundle sizes: bundles every step handler with esbuild using the settings the
// MigrationWorkflow construct gives NodejsFunction (infra/bundling.ts), and reports the size
// of each bundle, of what the package adds (parser WebAssembly, migrations), and gzipped.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import {
  DEFAULT_HANDLERS_DIRECTORY,
  ESM_REQUIRE_BANNER,
  MAIN_FIELDS,
  NODE_TARGET,
  PG_PARSER_WASM,
  PROJECT_ROOT,
  STEP_HANDLERS,
} from '../../infra/bundling.ts';

const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;

async function directoryBytes(directory: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    total += entry.isDirectory() ? await directoryBytes(path) : (await stat(path)).size;
  }
  return total;
}

async function bundleStep(step: string, outdir: string): Promise<Record<string, unknown>> {
  const outfile = join(outdir, step, 'index.mjs');
  const started = Date.now();
  await build({
    entryPoints: [join(DEFAULT_HANDLERS_DIRECTORY, `${step}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: MAIN_FIELDS,
    banner: { js: ESM_REQUIRE_BANNER },
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'silent',
  });
  const code = await readFile(outfile);
  const map = await stat(`${outfile}.map`);
  const needsParser = code.includes('libpg-query.wasm');
  const wasmBytes = needsParser ? (await stat(PG_PARSER_WASM)).size : 0;
  return {
    bundleKb: kb(code.length),
    bundleGzipKb: kb(gzipSync(code).length),
    sourceMapKb: kb(map.size),
    parserWasmKb: kb(wasmBytes),
    buildMs: Date.now() - started,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const outdir = await mkdtemp(join(tmpdir(), 'stepmigrate-bundles-'));
  const results: Record<string, unknown> = {};
  try {
    for (const step of STEP_HANDLERS) {
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
