// esbuild plugins of every stepmigrate bundle (the step Lambdas, the failure notifier, the task
// runner image). Each one lets esbuild drop code the bundle never runs, without changing what
// the code that stays does. JavaScript, not TypeScript: the synchronous bundling CDK asks for
// runs esbuild in a plain `node` child process (esbuild-bundle.mjs), where no TypeScript loader
// is present.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The AWS SDK clients describe every operation of their service as schema arrays in
 * dist-es/schemas/schemas_N.js, with object keys written as computed keys of module-level
 * string constants (`{ [_h]: … }` where `const _h = "http"`). esbuild treats a computed key as
 * a possible side effect, so it keeps every schema of the service, used or not: 64 KB of S3's
 * for a bundle that reads one object. Writing those keys as the string literals they are lets
 * esbuild drop the schemas of operations the bundle never sends. Only keys bound to a plain
 * string constant of the same file are rewritten; any other stays as it is.
 */
export const awsSdkSchemaKeys = {
  name: 'aws-sdk-schema-keys',
  setup(build) {
    build.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ },
      async (args) => {
        const source = await readFile(args.path, 'utf8');
        const strings = new Map();
        for (const [, name, literal] of source.matchAll(/^const ([\w$]+) = ("[^"\\\n]*");$/gm))
          strings.set(name, literal);
        const contents = source.replace(/([{,]\s*)\[([\w$]+)\]:/g, (whole, before, name) =>
          strings.has(name) ? `${before}${strings.get(name)}:` : whole,
        );
        return { contents, loader: 'js' };
      },
    );
  },
};

/**
 * Each SDK package imports its whole package.json for one field, the version in the
 * user-agent header. The bundle keeps the name and version and drops the rest (scripts,
 * dependency lists, descriptions).
 */
export const awsSdkPackageVersion = {
  name: 'aws-sdk-package-version',
  setup(build) {
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/ }, async (args) => {
      const { name, version } = JSON.parse(await readFile(args.path, 'utf8'));
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
  },
};

/**
 * pg loads its libpq binding (pg-native) only when asked for `pg.native`, which stepmigrate
 * never is, and answers null when the binding is not installed. Inside a bundle, its require of
 * './native' is answered by a stand-in that reports the binding as not installed, the answer pg
 * already handles, instead of bundling the binding's JavaScript.
 */
export function pgWithoutNative(projectRoot) {
  const standIn = join(projectRoot, 'lambdas', 'handlers', 'aws', 'no-pg-native.cjs');
  return {
    name: 'pg-without-native',
    setup(build) {
      build.onResolve({ filter: /^\.\/native$/ }, (args) =>
        /[\\/]pg[\\/]lib$/.test(args.resolveDir) ? { path: standIn } : undefined,
      );
    },
  };
}

/** Every plugin, in the order esbuild is given them. */
export function bundlePlugins(projectRoot) {
  return [awsSdkSchemaKeys, awsSdkPackageVersion, pgWithoutNative(projectRoot)];
}
