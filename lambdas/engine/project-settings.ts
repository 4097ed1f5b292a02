// What a project's stepmigrate.json settles for the engine: lint rule severities, how live
// tables weigh lock hazards, and where another tool's bookkeeping is. Read the same way by
// every runner: locally from the project root, in a Lambda from the copy bundled beside its
// migrations (infra/bundling.ts), so a deployed run lints exactly as a local one.

import { loadAdoptSettings } from './adopt/settings.ts';
import type { EngineContext } from './context.ts';
import { loadLintConfig } from './lint/config.ts';
import { loadLiveLintSettings } from './lint/live-settings.ts';

export type ProjectSettings = Pick<EngineContext, 'lintConfig' | 'liveLint' | 'adopt'>;

export async function loadProjectSettings(projectDir: string): Promise<ProjectSettings> {
  return {
    lintConfig: await loadLintConfig(projectDir),
    liveLint: await loadLiveLintSettings(projectDir),
    adopt: await loadAdoptSettings(projectDir),
  };
}
