// Builds a step's Lambda package the way the MigrationWorkflow construct has NodejsFunction
// build it (infra/bundling.ts): esbuild with the same options, then the same after-bundling
// commands. Used by the bundle smoke test and the bundle-size benchmark.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import {
  afterBundlingCommands,
  DEFAULT_HANDLERS_DIRECTORY,
  ESBUILD_OPTIONS,
  LAMBDA_BUNDLE_ALIASES,
  PROJECT_ROOT,
} from '../../infra/bundling.ts';
import type { StepFunctionName } from '../../infra/workflow-states.ts';

/** A Lambda the stack bundles from lambdas/functions/: a workflow step or the failure notifier. */
export type LambdaEntryName = StepFunctionName | 'notify-failure';

/** Bundles `step` into `outputDir` (index.mjs, its source map, migrations/, parser WebAssembly). */
export async function buildStepPackage(
  step: LambdaEntryName,
  outputDir: string,
  migrationsDirectory = join(PROJECT_ROOT, 'migrations'),
): Promise<void> {
  await buildLambdaPackage(join(DEFAULT_HANDLERS_DIRECTORY, `${step}.ts`), outputDir, migrationsDirectory);
}

/** Bundles any handler file the way the construct bundles a step (the benchmark's peers use it too). */
export async function buildLambdaPackage(
  entry: string,
  outputDir: string,
  migrationsDirectory = join(PROJECT_ROOT, 'migrations'),
): Promise<void> {
  await build({
    entryPoints: [entry],
    ...ESBUILD_OPTIONS,
    outfile: join(outputDir, 'index.mjs'),
    alias: LAMBDA_BUNDLE_ALIASES,
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'silent',
  });
  for (const command of afterBundlingCommands(outputDir, migrationsDirectory)) {
    execFileSync('sh', ['-c', command], { stdio: 'pipe' });
  }
}
