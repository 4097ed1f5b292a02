// The bundle plugins change what esbuild may drop, never what the kept code does: a schema
// file in the shape the AWS SDK clients ship, bundled with and without them, gives the same
// values for what is used, and only with them loses what is not.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';
import { awsSdkSchemaKeys } from '../../infra/esbuild-plugins.mjs';

let directory: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'stepmigrate-plugins-'));
  const schemas = join(directory, 'node_modules', '@aws-sdk', 'client-example', 'dist-es', 'schemas');
  mkdirSync(schemas, { recursive: true });
  writeFileSync(
    join(schemas, 'schemas_0.js'),
    [
      'const _h = "http";',
      'const _q = "query\\"quoted";',
      'const n0 = "com.example";',
      'let notConstant = "mutable";',
      'export var Used$ = [3, n0, "Used", { [_h]: ["GET", "/used", 200], [notConstant]: 1 }];',
      'export var Escaped$ = [3, n0, "Escaped", { [_q]: 1 }];',
      'export var Unused$ = [3, n0, "NeverSentOperation", { [_h]: ["PUT", "/unused", 200] }];',
    ].join('\n'),
  );
  writeFileSync(
    join(directory, 'entry.mjs'),
    "import { Used$, Escaped$ } from '@aws-sdk/client-example/dist-es/schemas/schemas_0.js';\nglobalThis.result = { Used$, Escaped$ };\n",
  );
  writeFileSync(
    join(directory, 'node_modules', '@aws-sdk', 'client-example', 'package.json'),
    JSON.stringify({ name: '@aws-sdk/client-example', version: '1.0.0', sideEffects: false }),
  );
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function bundle(plugins: boolean): Promise<string> {
  const result = await build({
    entryPoints: [join(directory, 'entry.mjs')],
    bundle: true,
    format: 'esm',
    minify: true,
    write: false,
    absWorkingDir: directory,
    plugins: plugins ? [awsSdkSchemaKeys] : [],
  });
  return result.outputFiles[0]!.text;
}

function evaluate(code: string): unknown {
  const scope: { result?: unknown } = {};
  new Function('globalThis', code)(scope);
  return scope.result;
}

describe('awsSdkSchemaKeys', () => {
  it('lets esbuild drop a schema nothing uses, which it keeps without the plugin', async () => {
    expect(await bundle(false)).toContain('NeverSentOperation');
    expect(await bundle(true)).not.toContain('NeverSentOperation');
  });

  it('leaves the used schemas exactly as they were, keys of non-constants and escaped strings included', async () => {
    const expected = {
      Used$: [3, 'com.example', 'Used', { http: ['GET', '/used', 200], mutable: 1 }],
      Escaped$: [3, 'com.example', 'Escaped', { 'query"quoted': 1 }],
    };
    expect(evaluate(await bundle(false))).toEqual(expected);
    expect(evaluate(await bundle(true))).toEqual(expected);
  });
});
