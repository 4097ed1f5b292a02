// The compiled CLI is used only while it matches the sources: a tiny project built with the
// real build, then edited, touched, deleted and rebuilt, as a developer would.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildCli } from '../../../cli-build/build.js';
import { compiledEntry } from '../../../cli-build/freshness.js';
import { chooseEntry, LaunchError } from '../../../cli-build/launch.js';

const exec = promisify(execFile);
let root: string;
let outdir: string;

const SOURCES: Record<string, string> = {
  'tsconfig.json': '{ "compilerOptions": { "verbatimModuleSyntax": true } }',
  'src/main.ts': [
    "import { readFileSync } from 'node:fs';",
    "import { greeting } from './greeting.ts';",
    // Read beside the source, not beside the compiled chunk: import.meta.url is the source's.
    "const data = readFileSync(new URL('./data.txt', import.meta.url), 'utf8').trim();",
    "export const message: string = greeting() + ' ' + data;",
    "export const lazy = () => import('./lazy.ts');",
  ].join('\n'),
  'src/greeting.ts': "export function greeting(): string { return 'hello'; }",
  'src/lazy.ts': "export const where = new URL('.', import.meta.url).pathname;",
  'src/data.txt': 'from the source folder',
};

async function write(files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

const build = () => buildCli({ root, outdir, entryPoints: { main: 'src/main.ts' } });
const entry = () => compiledEntry(root, outdir, 'main');

/** What the compiled entry says, in a plain node process (as bin/ would run it). */
async function runCompiled(): Promise<{ message: string; where: string }> {
  const url = entry();
  if (!url.fresh) throw new Error(`not fresh: ${url.reason}`);
  const script = `const m = await import(${JSON.stringify(url.url)}); const l = await m.lazy(); console.log(JSON.stringify({ message: m.message, where: l.where }));`;
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(stdout) as { message: string; where: string };
}

beforeAll(async () => {
  // Inside a node_modules folder, as when stepmigrate is installed as a dependency: its own
  // sources must still be compiled as the project's, not treated as a package's.
  root = join(await mkdtemp(join(tmpdir(), 'stepmigrate-build-')), 'node_modules', 'app');
  outdir = join(root, 'dist');
  await write(SOURCES);
  await build();
});
afterAll(async () => {
  await rm(join(root, '..', '..'), { recursive: true, force: true });
});

describe('the compiled CLI and its sources', () => {
  it('runs the compiled code, which finds files beside its sources and loads lazy modules', async () => {
    expect(entry().fresh).toBe(true);
    expect(await runCompiled()).toEqual({ message: 'hello from the source folder', where: `${root}/src/` });
    const manifest = JSON.parse(await readFile(join(outdir, 'manifest.json'), 'utf8')) as {
      sources: Array<[string]>;
    };
    expect(manifest.sources.map(([path]) => path)).toEqual(
      expect.arrayContaining(['src/main.ts', 'src/greeting.ts', 'src/lazy.ts', 'tsconfig.json']),
    );
  });

  it('stays fresh when a file is only touched, and goes stale when its content changes', async () => {
    const later = new Date(Date.now() + 5_000);
    await utimes(join(root, 'src/greeting.ts'), later, later);
    expect(entry().fresh).toBe(true);

    await write({ 'src/lazy.ts': "export const where = 'edited';" });
    expect(entry()).toEqual({
      fresh: false,
      reason: 'src/lazy.ts changed or was removed since the last build',
    });
    expect(chooseEntry('main', 'src/main.ts', { root, outdir, mode: 'auto' })).toEqual({
      compiled: false,
      url: new URL(`file://${root}/src/main.ts`).href,
      reason: 'src/lazy.ts changed or was removed since the last build',
    });
    expect(() => chooseEntry('main', 'src/main.ts', { root, outdir, mode: 'compiled' })).toThrow(LaunchError);

    await build();
    expect(chooseEntry('main', 'src/main.ts', { root, outdir, mode: 'auto' }).compiled).toBe(true);
    expect((await runCompiled()).where).toBe('edited');
  });

  it('goes stale when an input is deleted, and when the build is missing', async () => {
    await rm(join(root, 'src/greeting.ts'));
    expect(entry()).toEqual({
      fresh: false,
      reason: 'src/greeting.ts changed or was removed since the last build',
    });
    // Back with the same bytes: what was compiled is what is there again.
    await write({ 'src/greeting.ts': SOURCES['src/greeting.ts'] as string });
    expect(entry().fresh).toBe(true);
    expect(compiledEntry(root, join(root, 'no-build'), 'main').fresh).toBe(false);
    expect(chooseEntry('main', 'src/main.ts', { root, outdir, mode: 'tsx' }).compiled).toBe(false);
  });

  it('refuses a source that uses import.meta beyond import.meta.url, naming it', async () => {
    await write({ 'src/lazy.ts': 'export const where = import.meta.dirname;' });
    await expect(build()).rejects.toThrow(/src\/lazy\.ts uses import\.meta other than import\.meta\.url/);
    await write({ 'src/lazy.ts': SOURCES['src/lazy.ts'] as string });
  });
});
