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

export class LaunchError extends Error {
  constructor(message) {
    super(message);
    this.name = 'LaunchError';
  }
}

/**
 * Imports entry `name` of the build, or `source` (relative to the project root) through tsx.
 * @returns the module's namespace
 */
export async function loadEntry(name, source) {
  const mode = process.env[LAUNCH_VARIABLE] || 'auto';
  if (!['auto', 'compiled', 'tsx'].includes(mode)) {
    throw new LaunchError(`${LAUNCH_VARIABLE} is "${mode}"; use auto (the default), compiled or tsx`);
  }
  if (mode !== 'tsx') {
    const compiled = compiledEntry(PROJECT_ROOT, COMPILED_DIR, name);
    if (compiled.fresh) return import(compiled.url);
    if (mode === 'compiled') {
      throw new LaunchError(`${LAUNCH_VARIABLE}=compiled, but ${compiled.reason}: run \`npm run build\``);
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(join(PROJECT_ROOT, source)).href);
}
