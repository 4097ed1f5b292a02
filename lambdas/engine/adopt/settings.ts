// The "adopt" section of stepmigrate.json: where the other tool's bookkeeping lives when it
// is not where that tool puts it by default, and whether to keep it up to date.
//   { "adopt": { "table": "app.flyway_schema_history", "sqitchRegistry": "sqitch", "keepToolHistory": true } }
// Anything else is an InputError naming the key, so a typo never silently changes what is imported.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import type { AdoptSettings } from './tool-history.ts';

const CONFIG_FILE = 'stepmigrate.json';
const KEYS: Record<keyof AdoptSettings, 'string' | 'boolean'> = {
  import: 'boolean',
  table: 'string',
  sqitchRegistry: 'string',
  keepToolHistory: 'boolean',
};

export async function loadAdoptSettings(projectDir: string): Promise<AdoptSettings> {
  const file = join(projectDir, CONFIG_FILE);
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file}: not valid JSON (${(error as Error).message})`, { file, cause: error });
  }
  const adopt = (json as Record<string, unknown> | null)?.adopt;
  return adopt === undefined ? {} : parseAdoptSettings(adopt, file);
}

export function parseAdoptSettings(adopt: unknown, file: string): AdoptSettings {
  if (typeof adopt !== 'object' || adopt === null || Array.isArray(adopt)) {
    throw new InputError(`${file}: "adopt" must be an object`, { file });
  }
  const problems: string[] = [];
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(adopt)) {
    const type = KEYS[key as keyof AdoptSettings];
    if (!type) problems.push(`unknown key "adopt.${key}" (expected ${Object.keys(KEYS).join(', ')})`);
    else if (typeof value !== type || (type === 'string' && String(value).trim() === '')) {
      problems.push(`"adopt.${key}" must be ${type === 'string' ? 'a non-empty string' : 'true or false'}`);
    } else settings[key] = value;
  }
  if (problems.length > 0) throw new InputError(`${file}: ${problems.join('; ')}`, { file });
  return settings as AdoptSettings;
}
