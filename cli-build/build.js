// Compiles the CLI (cli/, and whatever of lambdas/ and infra/ it imports) to JavaScript in
// dist/, so `stepmigrate` starts without tsx compiling TypeScript at every start. `npm
// install` runs it (postinstall); `npm run build` runs it by hand. bin/ launchers use the
// result only while cli-build/freshness.js finds every input unchanged, else they run the
// sources through tsx: the compiled CLI is a cache, never a second source of truth.
//
// - One ESM file per entry point, and code splitting, so a command's module still loads only
//   when that command runs (cli/commands/index.ts).
// - Packages stay in node_modules and load from there, except aws-local-stepfunctions, which
//   is bundled so its imports of the Lambda client, the credential providers and asl-validator
//   can point at stubs: every Task state of a local run has a local handler and validation is
//   off (cli/local-runner/execute.ts), so none of them is ever called, yet loading them was
//   about 0.3 s of CPU, more than half of loading the `run` command.
// - Every output file is at the same depth, and each compiled module sees `import.meta.url`
//   as the URL of its own source file: paths built from it (the project root, package.json,
//   the migrations, the task process) are the same compiled or not.
import { createHash } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { MANIFEST_FILE, MANIFEST_FORMAT, recordOf } from './freshness.js';
import { COMPILED_DIR, PROJECT_ROOT } from './launch.js';

/** Entry name → source; bin/stepmigrate.js runs `main`, the local task runner `task-process-main`. */
export const ENTRY_POINTS = {
  main: 'cli/main.ts',
  'task-process-main': 'cli/local-runner/task-process-main.ts',
};

const BUNDLED_PACKAGES = new Set(['aws-local-stepfunctions']);
/** Files that change the output without being imported by it: this script and the tsconfig. */
const BUILD_SCRIPT = fileURLToPath(import.meta.url);
const STUBS = join(dirname(BUILD_SCRIPT), 'stubs');
const LOCAL_RUNNER_STUBS = {
  '@aws-sdk/client-lambda': join(STUBS, 'lambda-client.ts'),
  '@aws-sdk/credential-providers': join(STUBS, 'credential-providers.ts'),
  'asl-validator': join(STUBS, 'asl-validator.ts'),
};
const SOURCE_URL = '__stepmigrateSourceUrl';
const OTHER_IMPORT_META = '__stepmigrateOtherImportMeta';

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Whether a file belongs to a package rather than to the project: under the root's
 * node_modules or outside the root. Not "any node_modules in the path": installed as a
 * dependency, the project itself lives in one.
 */
function isPackageFile(root, path) {
  const fromRoot = relative(root, path);
  return fromRoot.startsWith(`..${sep}`) || fromRoot.split(sep)[0] === 'node_modules';
}

/** Our imports of packages stay imports; a bundled package's own imports are bundled with it. */
function packagesPlugin(root) {
  return {
    name: 'stepmigrate-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path)) return { external: true };
        const name = packageName(args.path);
        if (!isPackageFile(root, args.importer))
          return BUNDLED_PACKAGES.has(name) ? undefined : { external: true };
        const stub = args.importer.includes(`${sep}aws-local-stepfunctions${sep}`)
          ? LOCAL_RUNNER_STUBS[name]
          : undefined;
        return stub ? { path: stub } : undefined;
      });
    },
  };
}

/** Gives each module the `import.meta.url` of its source file, not of the chunk it lands in. */
function sourceUrlPlugin(root, outdir, tsconfigRaw, compiled) {
  return {
    name: 'stepmigrate-source-url',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (isPackageFile(root, args.path)) return undefined;
        // Recorded from the bytes compiled, so an edit during the build reads as a change.
        const { size, mtimeMs } = await stat(args.path);
        const bytes = await readFile(args.path);
        const source = bytes.toString('utf8');
        compiled.set(args.path, [
          relative(root, args.path),
          bytes.length,
          size === bytes.length ? mtimeMs : -1,
          createHash('sha256').update(bytes).digest('hex'),
        ]);
        if (!source.includes('import.meta')) return { contents: source, loader: 'ts' };
        const { code } = await esbuild.transform(source, {
          loader: 'ts',
          format: 'esm',
          target: 'node20',
          sourcefile: relative(root, args.path),
          sourcemap: 'inline',
          tsconfigRaw,
          define: { 'import.meta.url': SOURCE_URL, 'import.meta': OTHER_IMPORT_META },
        });
        if (code.includes(OTHER_IMPORT_META)) {
          return {
            errors: [
              {
                text: `${relative(root, args.path)} uses import.meta other than import.meta.url; the compiled CLI maps only import.meta.url to the source file (cli-build/build.js)`,
              },
            ],
          };
        }
        // Every output file sits directly in outdir, so this relative URL finds the source.
        const fromOutput = relative(outdir, args.path).split(sep).join('/');
        const prelude = `const ${SOURCE_URL} = new URL(${JSON.stringify(fromOutput)}, import.meta.url).href;`;
        return { contents: prelude + code, loader: 'js' };
      });
    },
  };
}

/**
 * Builds the CLI into `outdir` (default dist/) and writes the manifest the launchers check.
 * Built beside it and renamed into place, so a launcher never sees half a build.
 * @param {{ root?: string, outdir?: string, entryPoints?: Record<string, string> }} [options]
 */
export async function buildCli({
  root = PROJECT_ROOT,
  outdir = COMPILED_DIR,
  entryPoints = ENTRY_POINTS,
} = {}) {
  const started = Date.now();
  const staging = `${outdir}.building-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const tsconfigRaw = await readFile(join(root, 'tsconfig.json'), 'utf8');
  /** Absolute path → its manifest record, for every source the build compiled. */
  const compiled = new Map();
  try {
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: Object.fromEntries(
        Object.entries(entryPoints).map(([name, file]) => [name, join(root, file)]),
      ),
      outdir: staging,
      entryNames: '[name]',
      chunkNames: '[name]-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Top-level names that collide across modules are renamed when bundled; keep the
      // originals, which error classes and commands may show.
      keepNames: true,
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'silent',
      // The relative URLs are computed against the final folder, where the files end up.
      plugins: [packagesPlugin(root), sourceUrlPlugin(root, outdir, tsconfigRaw, compiled)],
    });
    const inputs = [...Object.keys(result.metafile.inputs), relative(root, BUILD_SCRIPT), 'tsconfig.json'];
    const sources = [];
    for (const input of [...new Set(inputs)].sort())
      sources.push(compiled.get(join(root, input)) ?? recordOf(root, input));
    const entries = Object.fromEntries(Object.keys(entryPoints).map((name) => [name, `${name}.js`]));
    const manifest = { format: MANIFEST_FORMAT, builtAt: new Date().toISOString(), entries, sources };
    await writeFile(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest)}\n`);
    await rm(outdir, { recursive: true, force: true });
    await rename(staging, outdir);
    return { outdir, ms: Date.now() - started, sources: sources.length, bytes: outputBytes(result) };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

function outputBytes(result) {
  let bytes = 0;
  for (const [file, output] of Object.entries(result.metafile.outputs))
    if (file.endsWith('.js')) bytes += output.bytes;
  return bytes;
}

// `node cli-build/build.js` (npm run build) fails on a build error; `--if-possible` (what
// npm install runs) says why and succeeds, since bin/ then runs the sources through tsx.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const ifPossible = process.argv.includes('--if-possible');
  try {
    const built = await buildCli();
    process.stdout.write(
      `stepmigrate: compiled the CLI into ${relative(PROJECT_ROOT, built.outdir)}/ (${built.sources} inputs, ${Math.round(built.bytes / 1024)} KB) in ${built.ms} ms\n`,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`stepmigrate: could not compile the CLI: ${message}\n`);
    if (ifPossible)
      process.stderr.write(
        'stepmigrate: the CLI will run its TypeScript through tsx instead (slower start)\n',
      );
    process.exitCode = ifPossible ? 0 : 1;
  }
}
