// stepmigrate.json is read once and every section the engine uses comes from that one read;
// a file that is not a JSON object is refused, naming it, whatever section is asked for.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadAdoptSettings } from '../../../lambdas/engine/adopt/settings.ts';
import { DEFAULT_LIVE_LINT } from '../../../lambdas/engine/lint/live-severity.ts';
import { loadProjectSettings } from '../../../lambdas/engine/project-settings.ts';
import { loadRunSettings } from '../../../lambdas/engine/run-settings.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stepmigrate-settings-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function project(name: string, text: string): Promise<string> {
  const projectDir = join(dir, name);
  await rm(projectDir, { recursive: true, force: true });
  await mkdir(projectDir);
  await writeFile(join(projectDir, 'stepmigrate.json'), text);
  return projectDir;
}

describe('loadProjectSettings', () => {
  it('gives the lint, liveLint and adopt sections of one file', async () => {
    const projectDir = await project(
      'all',
      JSON.stringify({
        lint: { rules: { 'prefer-identity': 'error' } },
        liveLint: { warningRows: 5, errorRows: 50 },
        adopt: { keepToolHistory: true },
      }),
    );
    const settings = await loadProjectSettings(projectDir);
    expect(settings.lintConfig).toEqual({ rules: { 'prefer-identity': 'error' } });
    expect(settings.liveLint).toMatchObject({ warningRows: 5, errorRows: 50 });
    expect(settings.adopt).toEqual({ keepToolHistory: true });
  });

  it('uses the defaults when there is no file', async () => {
    const settings = await loadProjectSettings(join(dir, 'no-such-project'));
    expect(settings.lintConfig).toEqual({ rules: {} });
    expect(settings.adopt).toEqual({});
    expect(settings.liveLint).toEqual(DEFAULT_LIVE_LINT);
  });

  it('refuses a file that is not a JSON object, naming it, for every section', async () => {
    const projectDir = await project('array', '[]');
    const file = join(projectDir, 'stepmigrate.json');
    await expect(loadProjectSettings(projectDir)).rejects.toThrow(
      `${file}: the file must hold a JSON object`,
    );
    await expect(loadAdoptSettings(projectDir)).rejects.toThrow(`${file}: the file must hold a JSON object`);
  });
});

describe('loadRunSettings (the steps after Validate)', () => {
  it('gives the same adopt section as loadProjectSettings, and nothing of lint', async () => {
    const projectDir = await project(
      'run',
      JSON.stringify({
        lint: { rules: { 'prefer-identity': 'off' } },
        adopt: { table: 'app.flyway_history' },
      }),
    );
    const settings = await loadRunSettings(projectDir);
    expect(settings).toEqual({ adopt: (await loadProjectSettings(projectDir)).adopt });
    expect(settings.adopt).toEqual({ table: 'app.flyway_history' });
  });

  it('still refuses an adopt section it does not understand, naming the key', async () => {
    const projectDir = await project('bad-adopt', JSON.stringify({ adopt: { tabel: 'x' } }));
    await expect(loadRunSettings(projectDir)).rejects.toThrow('unknown key "adopt.tabel"');
  });
});
