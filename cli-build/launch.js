// How a launcher in bin/ loads its entry: the compiled module in dist/ when
// cli-build/freshness.js finds it built from the sources as they are, else the TypeScript
// source through tsx. STEPMIGRATE_LAUNCH=tsx always runs the sources; STEPMIGRATE_LAUNCH=compiled
// refuses to run anything but an up-to-date build (tests compare the two).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compiledEntry } from './freshness.js';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const COMPILED_DIR = join(PROJECT_ROOT, 'dist');
export const LAUNCH_VARIABLE = 'STEPMIGRATE_LAUNCH';
const MODES = ['auto', 'compiled', 'tsx'];

export class LaunchError extends Error {
  constructor(message) {
    super(message);
    this.name = 'LaunchError';
  }
}

/**
 * Which module runs for entry `name` of the build, whose source is `source` (relative to
 * the root): `{ compiled: true, url }`, or `{ compiled: false, url, reason }` for the source.
 */
export function chooseEntry(name, source, options = {}) {
  const {
    root = PROJECT_ROOT,
    outdir = COMPILED_DIR,
    mode = process.env[LAUNCH_VARIABLE] || 'auto',
  } = options;
  if (!MODES.includes(mode)) {
    throw new LaunchError(`${LAUNCH_VARIABLE} is "${mode}"; use ${MODES.join(', ')} (auto is the default)`);
  }
  const sourceUrl = pathToFileURL(join(root, source)).href;
  if (mode === 'tsx') return { compiled: false, url: sourceUrl, reason: `${LAUNCH_VARIABLE}=tsx` };
  const build = compiledEntry(root, outdir, name);
  if (build.fresh) return { compiled: true, url: build.url };
  if (mode === 'compiled') {
    throw new LaunchError(`${LAUNCH_VARIABLE}=compiled, but ${build.reason}: run \`npm run build\``);
  }
  return { compiled: false, url: sourceUrl, reason: build.reason };
}

/** Imports the module chooseEntry picks, registering tsx first for a TypeScript source. */
export async function loadEntry(name, source) {
  const entry = chooseEntry(name, source);
  if (!entry.compiled) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  return import(entry.url);
}
