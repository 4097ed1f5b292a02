// The AlarmReader port for local runs: alarm states from a JSON file the developer edits,
// `.stepmigrate/alarms.json` = { "<alarm name>": "ALARM" | "OK" | "INSUFFICIENT_DATA" }.
// No file means no alarm is firing.
import { join } from 'node:path';
import { InputError } from '../engine/errors.ts';
import type { AlarmReader } from '../ports.ts';
import { readTextIfExists } from './local-file.ts';

export class LocalAlarmReader implements AlarmReader {
  constructor(readonly file: string) {}

  static forProject(projectDir: string): LocalAlarmReader {
    return new LocalAlarmReader(join(projectDir, '.stepmigrate', 'alarms.json'));
  }

  async alarmsInAlarm(names: readonly string[]): Promise<string[]> {
    const states = await this.read();
    return names.filter((name) => states[name] === 'ALARM');
  }

  private async read(): Promise<Record<string, unknown>> {
    const text = await readTextIfExists(this.file);
    if (text === undefined) return {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // reported below
    }
    throw new InputError(
      `${this.file} must be a JSON object of alarm states, e.g. { "HighErrorRate": "ALARM" } — fix or delete it`,
      { file: this.file },
    );
  }
}
