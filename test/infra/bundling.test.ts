// What a package holds beside its bundle (copyPackageFiles): the migrations, the project's
// stepmigrate.json when there is one, and the parser's WebAssembly only for a bundle that
// loads it. How bundleSync's child process reports esbuild's errors and ignores the caller's
// NODE_OPTIONS. And how CDK tells apart the assets bundled from one directory (localBundling).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { App, AssetHashType, AssetStaging, Stack } from 'aws-cdk-lib';
import { bundleSync, copyPackageFiles } from '../../infra/bundling.ts';
import { localBundling } from '../../infra/step-lambda.ts';

let directory: string;
let migrations: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'stepmigrate-package-files-'));
  migrations = join(directory, 'project', 'migrations');
  mkdirSync(join(migrations, 'nested'), { recursive: true });
  writeFileSync(join(migrations, '0001_create_users.sql'), 'CREATE TABLE users (id int);\n');
  writeFileSync(join(migrations, 'nested', 'README.md'), 'notes\n');
});

afterEach(() => rmSync(directory, { recursive: true, force: true }));

/** A package directory whose index.mjs holds `code`. */
function packageWith(code: string): string {
  const outputDir = join(directory, 'package');
  mkdirSync(outputDir);
  writeFileSync(join(outputDir, 'index.mjs'), code);
  return outputDir;
}

describe('copyPackageFiles', () => {
  it('copies the migrations, the settings beside them and, for a bundle that parses, the WebAssembly', () => {
    writeFileSync(join(directory, 'project', 'stepmigrate.json'), '{"lint":{}}\n');
    const outputDir = packageWith('const wasm = "libpg-query.wasm";');
    copyPackageFiles(outputDir, migrations);
    expect(readdirSync(outputDir).sort()).toEqual([
      'index.mjs',
      'libpg-query.wasm',
      'migrations',
      'stepmigrate.json',
    ]);
    expect(readdirSync(join(outputDir, 'migrations')).sort()).toEqual(['0001_create_users.sql', 'nested']);
    expect(readFileSync(join(outputDir, 'migrations', 'nested', 'README.md'), 'utf8')).toBe('notes\n');
    expect(readFileSync(join(outputDir, 'stepmigrate.json'), 'utf8')).toBe('{"lint":{}}\n');
    expect(readFileSync(join(outputDir, 'libpg-query.wasm')).subarray(0, 4)).toEqual(
      Buffer.from([0, 0x61, 0x73, 0x6d]),
    );
  });

  it('leaves out the settings a project does not have and the WebAssembly a bundle never loads', () => {
    const outputDir = packageWith('export const handler = async () => ({});');
    copyPackageFiles(outputDir, migrations);
    expect(readdirSync(outputDir).sort()).toEqual(['index.mjs', 'migrations']);
  });
});

describe('localBundling', () => {
  it('gives each set of inputs its own asset from the same directory, and bundles the same inputs once', () => {
    const app = new App({ outdir: join(directory, 'cdk.out') });
    const source = join(directory, 'source');
    mkdirSync(source);
    const bundled: string[] = [];
    const asset = (stack: Stack, id: string, input: string) =>
      new AssetStaging(stack, id, {
        sourcePath: source,
        assetHashType: AssetHashType.OUTPUT,
        bundling: localBundling({ INPUT: input }, (outputDir) => {
          bundled.push(input);
          writeFileSync(join(outputDir, 'index.mjs'), `export const input = ${JSON.stringify(input)};`);
        }),
      });
    const first = new Stack(app, 'First');
    const a = asset(first, 'A', 'a');
    const b = asset(first, 'B', 'b');
    const againA = asset(new Stack(app, 'Second'), 'A', 'a');
    expect(a.assetHash).not.toBe(b.assetHash);
    expect(againA.assetHash).toBe(a.assetHash);
    expect(bundled).toEqual(['a', 'b']);
  });
});

describe('bundleSync', () => {
  it("bundles in a child process that a caller's NODE_OPTIONS do not reach", () => {
    const entry = join(directory, 'entry.ts');
    writeFileSync(entry, 'export const answer: number = 42;\n');
    const outfile = join(directory, 'out', 'index.mjs');
    const given = process.env.NODE_OPTIONS;
    // A preload that does not exist would stop any node process that got it.
    process.env.NODE_OPTIONS = `--require ${join(directory, 'no-such-preload.cjs')}`;
    try {
      bundleSync(entry, outfile);
    } finally {
      if (given === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = given;
    }
    expect(readFileSync(outfile, 'utf8')).toContain('42');
  });

  it("fails with the entry and esbuild's own message", () => {
    const entry = join(directory, 'broken.ts');
    writeFileSync(
      entry,
      "import { missing } from 'no-such-package-anywhere';\nexport const value = missing;\n",
    );
    let failure: unknown;
    try {
      bundleSync(entry, join(directory, 'out', 'index.mjs'));
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(Error);
    const { message } = failure as Error;
    expect(message.startsWith(`bundling ${entry} failed:\n`)).toBe(true);
    expect(message).toContain('Could not resolve "no-such-package-anywhere"');
  });
});
