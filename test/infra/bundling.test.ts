// What a package holds beside its bundle (copyPackageFiles): the migrations, the project's
// stepmigrate.json when there is one, and the parser's WebAssembly only for a bundle that
// loads it.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { copyPackageFiles } from '../../infra/bundling.ts';

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
