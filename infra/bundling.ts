// How a step handler becomes a Lambda bundle. The constructs (through CDK's local bundling),
// the task image, the bundle tests and the bundle-size benchmark all call bundleSync with
// these settings, so what is tested and measured is exactly what gets deployed.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the Lambda entry files shipped with stepmigrate live: one per step, naming only its ports. */
export const DEFAULT_HANDLERS_DIRECTORY = join(PROJECT_ROOT, 'lambdas', 'functions');

/** Where the bundled migrations sit inside the Lambda package (its root is /var/task). */
export const BUNDLED_MIGRATIONS_DIR = '/var/task/migrations';

/** The Node.js major version the bundles target; keep in step with the Lambda runtime. */
export const NODE_TARGET = 'node22';

/**
 * An ESM bundle has none of CommonJS's `require`, `__dirname` and `__filename`, yet bundled
 * CommonJS code uses them: `pg` requires Node built-ins, and libpg-query's Emscripten loader
 * finds its WebAssembly through `__dirname`. The banner recreates them from
 * `import.meta.url`; `__dirname`/`__filename` under private names that ESBUILD_OPTIONS' define
 * maps the free identifiers to, so a bundled module that declares its own keeps working.
 */
const ESM_CJS_SHIM_BANNER = [
  "import { createRequire as __stepmigrateCreateRequire } from 'node:module';",
  "import { fileURLToPath as __stepmigrateFileURLToPath } from 'node:url';",
  'const require = __stepmigrateCreateRequire(import.meta.url);',
  'const __stepmigrateFilename = __stepmigrateFileURLToPath(import.meta.url);',
  "const __stepmigrateDirname = __stepmigrateFilename.slice(0, __stepmigrateFilename.lastIndexOf('/'));",
].join(' ');

/**
 * Modules replaced inside the bundles: the SDK's default credential chain by the Lambda
 * runtime's environment credentials (lambdas/handlers/aws/lambda-credentials.ts says why);
 * the SDK's event streams, which no stepmigrate Lambda uses, by a stand-in that refuses with
 * a named error (lambdas/handlers/aws/no-event-streams.ts); and pg's ~/.pgpass lookup, which
 * a Lambda connecting with its secret's password never needs, by one that finds nothing
 * (lambdas/handlers/aws/no-pgpass.cjs). Paths are relative to PROJECT_ROOT, esbuild's
 * working directory.
 */
export const LAMBDA_BUNDLE_ALIASES: Record<string, string> = {
  '@aws-sdk/credential-provider-node': './lambdas/handlers/aws/lambda-credentials.ts',
  '@smithy/core/event-streams': './lambdas/handlers/aws/no-event-streams.ts',
  pgpass: './lambdas/handlers/aws/no-pgpass.cjs',
};

/**
 * The esbuild options of every bundle; bundleSync adds the entry, the output file and, for a
 * Lambda, the aliases. Names are minified: the only error name taken from a class name, pg's
 * DatabaseError, is set by name (lambdas/handlers/middleware/normalize-error.ts).
 */
const ESBUILD_OPTIONS: Readonly<BuildOptions> = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: NODE_TARGET,
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // Prefer a package's ESM entry point, which tree-shakes better (the AWS SDK ships both).
  mainFields: ['module', 'main'],
  banner: { js: ESM_CJS_SHIM_BANNER },
  define: { __dirname: '__stepmigrateDirname', __filename: '__stepmigrateFilename' },
};

/**
 * libpg-query loads its WebAssembly file from next to the module that imports it. Once
 * bundled, that is the bundle itself, so the file must be copied beside it.
 */
const PG_PARSER_WASM = join(PROJECT_ROOT, 'node_modules', 'libpg-query', 'wasm', 'libpg-query.wasm');

/**
 * What a package holds beside its bundle: the migrations, with the project's stepmigrate.json
 * (beside the migrations directory) when there is one, so a deployed run lints and adopts with
 * the same settings as a local one; and the parser's WebAssembly, only when the bundle
 * (`outputDir`/index.mjs) references it.
 */
export function copyPackageFiles(outputDir: string, migrationsDirectory: string): void {
  cpSync(migrationsDirectory, join(outputDir, 'migrations'), { recursive: true });
  const settings = join(dirname(migrationsDirectory), 'stepmigrate.json');
  if (existsSync(settings)) copyFileSync(settings, join(outputDir, 'stepmigrate.json'));
  if (readFileSync(join(outputDir, 'index.mjs'), 'utf8').includes('libpg-query.wasm'))
    copyFileSync(PG_PARSER_WASM, join(outputDir, 'libpg-query.wasm'));
}

/**
 * Bundles `entry` into `outfile` with ESBUILD_OPTIONS and the plugins of esbuild-plugins.mjs.
 * Synchronous, as CDK's local bundling must be: esbuild runs in a child `node` process,
 * because its plugins need its asynchronous API. Throws with esbuild's messages on failure.
 */
export function bundleSync(
  entry: string,
  outfile: string,
  extra: Pick<BuildOptions, 'alias'> = {},
  /** Where to write esbuild's metafile (what went into the bundle); none by default. */
  metafile?: string,
): void {
  const options: BuildOptions = {
    entryPoints: [entry],
    ...ESBUILD_OPTIONS,
    ...extra,
    outfile,
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'error',
  };
  try {
    const script = join(PROJECT_ROOT, 'infra', 'esbuild-bundle.mjs');
    execFileSync(process.execPath, [script, JSON.stringify(options), ...(metafile ? [metafile] : [])], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // NODE_OPTIONS of a test runner or a TypeScript loader are not the bundler's business.
      env: { ...process.env, NODE_OPTIONS: '' },
    });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    throw new Error(`bundling ${entry} failed${stderr ? `:\n${stderr}` : ''}`, { cause: error });
  }
}

/**
 * A Lambda package in `outputDir`: `entry` bundled as index.mjs with the Lambda aliases, then,
 * for a step, copyPackageFiles (migrations, settings, the parser's WebAssembly).
 * The failure notifier has no migrations.
 */
export function bundleLambdaPackage(
  entry: string,
  outputDir: string,
  migrationsDirectory?: string,
  metafile?: string,
): void {
  bundleSync(entry, join(outputDir, 'index.mjs'), { alias: LAMBDA_BUNDLE_ALIASES }, metafile);
  if (migrationsDirectory !== undefined) copyPackageFiles(outputDir, migrationsDirectory);
}
