// What a project's stepmigrate.json settles for the engine: lint rule severities, how live
// tables weigh lock hazards, and where another tool's bookkeeping is. Read the same way by
// every runner: locally from the project root, in a Lambda from the copy bundled beside its
// migrations (infra/bundling.ts), so a deployed run lints exactly as a local one.

import { parseAdoptSettings } from './adopt/settings.ts';
import { readConfigFile } from './config-file.ts';
import type { EngineContext } from './context.ts';
import { lintConfigFrom } from './lint/config.ts';
import { parseLiveLintSettings } from './lint/live-settings.ts';

export type ProjectSettings = Pick<EngineContext, 'lintConfig' | 'liveLint' | 'adopt'>;

/** Reads stepmigrate.json once and gives each section to its parser. */
export async function loadProjectSettings(projectDir: string): Promise<ProjectSettings> {
  const config = await readConfigFile(projectDir);
  return {
    lintConfig: lintConfigFrom(config),
    liveLint: parseLiveLintSettings(config.json.liveLint, config.file),
    adopt: config.json.adopt === undefined ? {} : parseAdoptSettings(config.json.adopt, config.file),
  };
}
