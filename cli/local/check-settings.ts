// The "check" section of stepmigrate.json: { "check": { "setup": "db/check-setup.sql" } },
// the file `stepmigrate check` runs on its scratch database first (relative to the project).
import { isAbsolute, join } from 'node:path';
import { readConfigFile } from '../../lambdas/engine/config-file.ts';
import { InputError } from '../../lambdas/engine/errors.ts';

export interface CheckSettings {
  /** Absolute path of the setup file, when one is configured. */
  setup?: string;
}

export async function loadCheckSettings(projectDir: string): Promise<CheckSettings> {
  const { file, json } = await readConfigFile(projectDir);
  const check = json.check;
  if (check === undefined) return {};
  const problems: string[] = [];
  if (typeof check !== 'object' || check === null || Array.isArray(check))
    problems.push('"check" must be an object');
  else {
    for (const key of Object.keys(check))
      if (key !== 'setup') problems.push(`unknown key "check.${key}" (expected "setup")`);
    const setup = (check as Record<string, unknown>).setup;
    if (setup !== undefined && (typeof setup !== 'string' || setup.trim() === '')) {
      problems.push('"check.setup" must be the path of a .sql file');
    } else if (typeof setup === 'string') {
      return problems.length > 0
        ? fail(file, problems)
        : { setup: isAbsolute(setup) ? setup : join(projectDir, setup) };
    }
  }
  return problems.length > 0 ? fail(file, problems) : {};
}

function fail(file: string, problems: string[]): never {
  throw new InputError(`${file}: ${problems.join('; ')}`, { file });
}
