// Builds a step's Lambda package exactly as the MigrationWorkflow construct has CDK build it:
// bundleLambdaPackage (infra/bundling.ts), the function the construct's asset calls. Used by
// the bundle smoke test and the bundle-size benchmark.
import { join } from 'node:path';
import { bundleLambdaPackage, DEFAULT_HANDLERS_DIRECTORY, PROJECT_ROOT } from '../../infra/bundling.ts';
import type { StepFunctionName } from '../../infra/workflow-states.ts';

/** A Lambda the stack bundles from lambdas/functions/: a workflow step or the failure notifier. */
export type LambdaEntryName = StepFunctionName | 'notify-failure';

const SAMPLE_MIGRATIONS = join(PROJECT_ROOT, 'migrations');

/** Bundles `step` into `outputDir` (index.mjs, its source map and, for a step, migrations/ and the parser's WebAssembly). */
export function buildStepPackage(step: LambdaEntryName, outputDir: string): void {
  const entry = join(DEFAULT_HANDLERS_DIRECTORY, `${step}.ts`);
  bundleLambdaPackage(entry, outputDir, step === 'notify-failure' ? undefined : SAMPLE_MIGRATIONS);
}

/** Bundles any handler file the way the construct bundles a step (the benchmark's peers use it too). */
export function buildLambdaPackage(entry: string, outputDir: string): void {
  bundleLambdaPackage(entry, outputDir, SAMPLE_MIGRATIONS);
}
