// A CLI run in a fresh project synthesizes the workflow definition (seconds of aws-cdk-lib)
// before its first step. Tests that start the CLI in temporary projects copy the definition
// from the cache the in-process tests share instead, so they measure the run, not the synth.
import { copyFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definitionKey, PROJECT_ROOT } from '../../cli/local-runner/definition-cache.ts';
import { testWorkflow } from './local-workflow.ts';

export async function seedDefinitionCache(projectDir: string): Promise<void> {
  await testWorkflow(join(PROJECT_ROOT, 'migrations'));
  const file = `workflow-${await definitionKey()}.json`;
  const cacheDir = join(projectDir, '.stepmigrate', 'cache');
  await mkdir(cacheDir, { recursive: true });
  await copyFile(join(tmpdir(), 'stepmigrate-test-workflow-cache', file), join(cacheDir, file));
}
