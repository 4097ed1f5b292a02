// Where a project keeps its state. Every command of a project must find the same
// `.stepmigrate/` whatever folder it was started from.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const PROJECT_FILE = 'stepmigrate.json';

/**
 * The project root, home of `.stepmigrate/` (embedded server, audit log, backups) and of
 * `stepmigrate.json`: the nearest folder at or above the migrations directory that holds
 * `stepmigrate.json`, else the migrations directory's parent. It never depends on where
 * the command was started, so every command of a project finds the same state.
 */
export function projectRoot(migrationsDir = './migrations'): string {
  const migrations = resolve(migrationsDir);
  for (let dir = migrations; ; dir = dirname(dir)) {
    if (existsSync(join(dir, PROJECT_FILE))) return dir;
    if (dirname(dir) === dir) break;
  }
  return dirname(migrations);
}
