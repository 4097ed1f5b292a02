// The part of stepmigrate.json the steps after Validate use: where another tool's bookkeeping
// is (the "adopt" section). Validate reads and checks the whole file (project-settings.ts);
// Apply, Verify and Rollback read the same bundled copy, and reading only their section keeps
// the lint rules and their settings out of those steps' Lambda bundles.
import { loadAdoptSettings } from './adopt/settings.ts';
import type { ProjectSettings } from './project-settings.ts';

export async function loadRunSettings(projectDir: string): Promise<ProjectSettings> {
  return { adopt: await loadAdoptSettings(projectDir) };
}
