// The "liveLint" section of stepmigrate.json (see live-severity.ts):
//   { "liveLint": { "enabled": true, "warningRows": 10000, "errorRows": 1000000 } }
// Every key is optional; anything we do not understand is an InputError naming it.
import { InputError } from '../errors.ts';
import { DEFAULT_LIVE_LINT, type LiveLintSettings } from './live-severity.ts';

export function parseLiveLintSettings(value: unknown, file: string): LiveLintSettings {
  const settings = { ...DEFAULT_LIVE_LINT };
  if (value === undefined) return settings;
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    problems.push('"liveLint" must be an object');
  else {
    for (const [key, setting] of Object.entries(value)) {
      if (key === 'enabled') {
        if (typeof setting === 'boolean') settings.enabled = setting;
        else problems.push('"liveLint.enabled" must be true or false');
      } else if (key === 'warningRows' || key === 'errorRows') {
        if (typeof setting === 'number' && Number.isInteger(setting) && setting >= 0) settings[key] = setting;
        else problems.push(`"liveLint.${key}" must be a whole number of rows`);
      } else problems.push(`unknown key "liveLint.${key}" (expected enabled, warningRows, errorRows)`);
    }
    if (problems.length === 0 && settings.warningRows > settings.errorRows) {
      // Only one threshold given: the other follows it rather than contradicting it.
      const given = value as Record<string, unknown>;
      if (given.warningRows === undefined) settings.warningRows = settings.errorRows;
      else if (given.errorRows === undefined) settings.errorRows = settings.warningRows;
      else problems.push('"liveLint.warningRows" must not be above "liveLint.errorRows"');
    }
  }
  if (problems.length > 0) throw new InputError(`${file}: ${problems.join('; ')}`, { file });
  return settings;
}
