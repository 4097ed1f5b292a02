// Whether the compiled CLI in dist/ was built from the sources as they are now. The build
// (cli-build/build.js) records every file esbuild read — our TypeScript, the packages it
// bundled, tsconfig.json and the build script itself — with its size, modification time and
// SHA-256. A launcher uses the compiled entry only when every recorded file is unchanged, so
// a developer who edits a .ts file runs the edit (through tsx) until the next build.
//
// Cheap on purpose: one stat per recorded file; a file is read and hashed only when its
// modification time moved (a checkout or a touch), and it is fresh if its content did not.
// Plain JavaScript: it runs before any TypeScript loader is registered.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 1;

/** SHA-256 of a file's bytes, hex. node:crypto is loaded only when a file needs hashing. */
export function fileSha256(path) {
  const { createHash } = process.getBuiltinModule('node:crypto');
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The manifest's record of one input: [path relative to root, size, mtimeMs, sha256]. */
export function recordOf(root, relativePath) {
  const path = join(root, relativePath);
  const stat = statSync(path);
  return [relativePath, stat.size, stat.mtimeMs, fileSha256(path)];
}

/** The first recorded input that changed since the build, or undefined when none did. */
export function changedInput(root, sources) {
  for (const [relativePath, size, mtimeMs, sha256] of sources) {
    // Concatenated, not join()ed: this loop is on every start, and the kernel resolves `..`.
    const path = `${root}/${relativePath}`;
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined || stat.size !== size) return relativePath;
    if (stat.mtimeMs === mtimeMs) continue;
    if (fileSha256(path) !== sha256) return relativePath;
  }
  return undefined;
}

/**
 * What a launcher should run: `{ fresh: true, url }` of the compiled entry `name`, or
 * `{ fresh: false, reason }` (no build, an unreadable manifest, or the first changed source).
 */
export function compiledEntry(root, outdir, name) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(outdir, MANIFEST_FILE), 'utf8'));
  } catch {
    return { fresh: false, reason: `no compiled CLI in ${outdir} (npm install or npm run build makes it)` };
  }
  const entry = manifest.entries?.[name];
  if (manifest.format !== MANIFEST_FORMAT || typeof entry !== 'string' || !Array.isArray(manifest.sources)) {
    return { fresh: false, reason: `${join(outdir, MANIFEST_FILE)} is from another build format` };
  }
  const changed = changedInput(root, manifest.sources);
  if (changed !== undefined)
    return { fresh: false, reason: `${changed} changed or was removed since the last build` };
  return { fresh: true, url: pathToFileURL(join(outdir, entry)).href };
}
