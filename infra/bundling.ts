// How a step handler becomes a Lambda bundle. The construct (through NodejsFunction) and
// the bundle-size benchmark (through esbuild directly) both read these settings, so the
// benchmark measures exactly what gets deployed.
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
 * `import.meta.url`; `__dirname`/`__filename` under private names that CJS_GLOBALS_DEFINE maps
 * the free identifiers to, so a bundled module that declares its own keeps working.
 */
export const ESM_CJS_SHIM_BANNER = [
  "import { createRequire as __stepmigrateCreateRequire } from 'node:module';",
  "import { fileURLToPath as __stepmigrateFileURLToPath } from 'node:url';",
  'const require = __stepmigrateCreateRequire(import.meta.url);',
  'const __stepmigrateFilename = __stepmigrateFileURLToPath(import.meta.url);',
  "const __stepmigrateDirname = __stepmigrateFilename.slice(0, __stepmigrateFilename.lastIndexOf('/'));",
].join(' ');

export const CJS_GLOBALS_DEFINE: Record<string, string> = {
  __dirname: '__stepmigrateDirname',
  __filename: '__stepmigrateFilename',
};

/** Prefer a package's ESM entry point, which tree-shakes better (the AWS SDK ships both). */
export const MAIN_FIELDS = ['module', 'main'];

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

/** The same aliases as esbuild command-line arguments, for NodejsFunction's `esbuildArgs`. */
export function aliasArgs(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(LAMBDA_BUNDLE_ALIASES).map(([module, path]) => [`--alias:${module}`, path]),
  );
}

/**
 * Class names survive minification, so an error's `name` (what Retry and Catch match, what
 * the audit log and the e-mail show) is never a mangled `Bq`, even for a class that does not
 * set it explicitly.
 */
export const KEEP_NAMES = true;

/**
 * The esbuild options of every bundle, for callers of esbuild itself (the task image, the
 * bundle tests and benchmark); NodejsFunction gets the same through LAMBDA_BUNDLING
 * (step-lambda.ts). Callers add the entry, the output file and, for a Lambda, the aliases.
 */
export const ESBUILD_OPTIONS: Readonly<BuildOptions> = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: NODE_TARGET,
  minify: true,
  keepNames: KEEP_NAMES,
  sourcemap: true,
  sourcesContent: false,
  mainFields: MAIN_FIELDS,
  banner: { js: ESM_CJS_SHIM_BANNER },
  define: CJS_GLOBALS_DEFINE,
};

/**
 * libpg-query loads its WebAssembly file from next to the module that imports it. Once
 * bundled, that is the bundle itself, so the file must be copied beside it.
 */
const PG_PARSER_WASM = join(PROJECT_ROOT, 'node_modules', 'libpg-query', 'wasm', 'libpg-query.wasm');

/**
 * Shell commands run after esbuild: copy the migrations into the package, with the project's
 * stepmigrate.json (beside the migrations directory) when there is one, so a deployed run
 * lints and adopts with the same settings as a local one; and the parser's WebAssembly only
 * into bundles that reference it.
 */
export function afterBundlingCommands(outputDir: string, migrationsDirectory: string): string[] {
  const quote = (path: string) => `'${path.replaceAll("'", "'\\''")}'`;
  const settings = join(dirname(migrationsDirectory), 'stepmigrate.json');
  return [
    `mkdir -p ${quote(join(outputDir, 'migrations'))}`,
    `cp -R ${quote(`${migrationsDirectory}/.`)} ${quote(join(outputDir, 'migrations'))}`,
    `if [ -f ${quote(settings)} ]; then cp ${quote(settings)} ${quote(outputDir)}; fi`,
    `if grep -q libpg-query.wasm ${quote(join(outputDir, 'index.mjs'))}; then cp ${quote(PG_PARSER_WASM)} ${quote(outputDir)}; fi`,
  ];
}
