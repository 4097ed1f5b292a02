// Synthesizing the CDK app takes seconds (loading aws-cdk-lib alone is most of it), so the
// resolved definition is kept in `.stepmigrate/cache/`, keyed by a hash of everything that
// can change it: the infra sources, this runner's synthesis code and the aws-cdk-lib version.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SynthesizedWorkflow } from './synthesize.ts';
import type { LocalWorkflowOptions } from './workflow-stack.ts';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CACHE_FORMAT = 1;

export interface LoadedWorkflow extends SynthesizedWorkflow {
  fromCache: boolean;
  /** Time spent synthesizing (0 on a cache hit). */
  synthMs: number;
}

async function sourcesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export async function definitionKey(options: LocalWorkflowOptions = {}): Promise<string> {
  const hash = createHash('sha256').update(`format ${CACHE_FORMAT}\n`);
  // What the run configures changes the definition as much as the sources do.
  hash.update(`${JSON.stringify(options)}\n`);
  const files = [
    ...(await sourcesUnder(join(PROJECT_ROOT, 'infra'))),
    join(PROJECT_ROOT, 'cli', 'local-runner', 'synthesize.ts'),
    join(PROJECT_ROOT, 'cli', 'local-runner', 'workflow-stack.ts'),
    join(PROJECT_ROOT, 'cli', 'local-runner', 'resolve-definition.ts'),
    join(PROJECT_ROOT, 'node_modules', 'aws-cdk-lib', 'package.json'),
  ];
  // Read synchronously: some thirty small files at the start of every run, where a round
  // trip to the thread pool per file costs more than the reads themselves.
  for (const file of files) {
    hash.update(`${file.slice(PROJECT_ROOT.length)}\n`);
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 32);
}

export interface LoadWorkflowOptions {
  /** Directory for cached definitions; undefined disables the cache. */
  cacheDir?: string;
  migrationsDir: string;
  /** The workflow's configuration (e.g. a database snapshot). @default the local defaults */
  workflow?: LocalWorkflowOptions;
}

export async function loadWorkflow(options: LoadWorkflowOptions): Promise<LoadedWorkflow> {
  const file = options.cacheDir
    ? join(options.cacheDir, `workflow-${await definitionKey(options.workflow)}.json`)
    : undefined;
  if (file) {
    try {
      const cached = JSON.parse(await readFile(file, 'utf8')) as SynthesizedWorkflow;
      return { ...cached, fromCache: true, synthMs: 0 };
    } catch {
      // missing or unreadable: synthesize
    }
  }
  const started = performance.now();
  // Imported here so a cache hit never loads aws-cdk-lib.
  const { synthesizeWorkflow } = await import('./synthesize.ts');
  const workflow = synthesizeWorkflow(options.migrationsDir, options.workflow);
  const synthMs = Math.round(performance.now() - started);
  if (file) {
    await mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(workflow));
    await rename(temporary, file);
  }
  return { ...workflow, fromCache: false, synthMs };
}
