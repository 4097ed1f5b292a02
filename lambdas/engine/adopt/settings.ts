// The "adopt" section of stepmigrate.json: where the other tool's bookkeeping lives when it
// is not where that tool puts it by default, and whether to keep it up to date.
//   { "adopt": { "table": "app.flyway_schema_history", "sqitchRegistry": "sqitch", "keepToolHistory": true } }
// Anything else is an InputError naming the key, so a typo never silently changes what is imported.
import { readConfigFile } from '../config-file.ts';
import { InputError } from '../errors.ts';
import type { AdoptSettings } from './tool-history.ts';

const KEYS: Record<keyof AdoptSettings, 'string' | 'boolean'> = {
  import: 'boolean',
  table: 'string',
  sqitchRegistry: 'string',
  keepToolHistory: 'boolean',
};

export async function loadAdoptSettings(projectDir: string): Promise<AdoptSettings> {
  const { file, json } = await readConfigFile(projectDir);
  return json.adopt === undefined ? {} : parseAdoptSettings(json.adopt, file);
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
