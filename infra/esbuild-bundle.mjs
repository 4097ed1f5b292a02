// Runs one esbuild build with stepmigrate's plugins (esbuild-plugins.mjs) and exits. esbuild's
// plugins need its asynchronous API, while CDK's local bundling is a synchronous call, so
// bundleSync (bundling.ts) runs this file in a child process. Argument: the build options as
// JSON, without plugins; optionally a path to write esbuild's metafile to (what went into the
// bundle, for the bundle tests).
import { writeFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { bundlePlugins } from './esbuild-plugins.mjs';

const options = JSON.parse(process.argv[2] ?? '{}');
const metafilePath = process.argv[3];
let result;
try {
  result = await build({
    ...options,
    metafile: Boolean(metafilePath),
    plugins: bundlePlugins(options.absWorkingDir ?? process.cwd()),
  });
} catch {
  // esbuild has printed the errors (logLevel 'error').
  process.exit(1);
}
if (metafilePath) await writeFile(metafilePath, JSON.stringify(result.metafile));
