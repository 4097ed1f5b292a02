import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadLintConfig, parseLintConfig } from '../../../lambdas/engine/lint/index.ts';

describe('parseLintConfig', () => {
  it('reads rule settings and the server version', () => {
    const text = JSON.stringify({
      lint: { rules: { 'prefer-bigint-over-int': 'off', 'ban-drop-not-null': 'error' }, postgresVersion: 15 },
      other: { ignored: true },
    });
    expect(parseLintConfig(text, 'stepmigrate.json')).toEqual({
      rules: { 'prefer-bigint-over-int': 'off', 'ban-drop-not-null': 'error' },
      postgresVersion: 15,
    });
  });

  it('refuses unknown rule ids and bad values, naming the file and every problem', () => {
    const text = JSON.stringify({ lint: { rules: { 'ban-drop-colum': 'off', 'ban-drop-table': 'warn' } } });
    expect(() => parseLintConfig(text, '/p/stepmigrate.json')).toThrow(
      expect.objectContaining({
        name: 'InputError',
        file: '/p/stepmigrate.json',
        message: expect.stringMatching(/ban-drop-colum.*ban-drop-table.*"warn"/s),
      }),
    );
  });

  it('refuses invalid JSON and unknown keys under lint', () => {
    expect(() => parseLintConfig('{ "lint": ', 'stepmigrate.json')).toThrow(/not valid JSON/);
    expect(() => parseLintConfig('{ "lint": { "rule": {} } }', 'stepmigrate.json')).toThrow(/lint\.rule/);
  });
});

describe('loadLintConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stepmigrate-lint-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the defaults when the project has no stepmigrate.json', async () => {
    expect(await loadLintConfig(join(dir, 'missing'))).toEqual({ rules: {} });
  });

  it('reads stepmigrate.json from the project root', async () => {
    await writeFile(join(dir, 'stepmigrate.json'), '{ "lint": { "rules": { "prefer-identity": "error" } } }');
    expect(await loadLintConfig(dir)).toEqual({ rules: { 'prefer-identity': 'error' } });
  });
});
