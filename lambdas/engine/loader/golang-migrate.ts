// The golang-migrate layout: `{version}_{title}.up.sql` and an optional
// `{version}_{title}.down.sql`, read as they are. Versions are unsigned integers, so
// `1_x` and `001_y` are the same version; a migration without a down file is irreversible.
import type { Migration, MigrationSet } from '../model.ts';
import { type MigrationFiles, readSqlFiles, type SourceFile } from './files.ts';
import { type LoaderProblem, throwIfDirectoryProblems } from './problems.ts';
import { compareVersions } from './versions.ts';
import { buildWholeFileMigration } from './whole-file.ts';

export const GOLANG_MIGRATE_PATTERN = /^(\d+)_(.*)\.(up|down)\.sql$/;
const GOLANG_MIGRATE_HINT =
  '{version}_{title}.up.sql or {version}_{title}.down.sql (e.g. 1_create_users.up.sql)';

export interface GolangMigrateFileName {
  version: string;
  name: string;
  direction: 'up' | 'down';
}

export function parseGolangMigrateFileName(fileName: string): GolangMigrateFileName | null {
  const match = GOLANG_MIGRATE_PATTERN.exec(fileName);
  if (!match) return null;
  return { version: match[1]!, name: match[2]!, direction: match[3] as 'up' | 'down' };
}

export async function loadGolangMigrateSet(files: MigrationFiles): Promise<MigrationSet> {
  return buildGolangMigrateSet(files.root, await readSqlFiles(files, false));
}

interface VersionFiles {
  version: string;
  up: Array<SourceFile & { name: string; title: string }>;
  down: Array<SourceFile & { name: string; title: string }>;
}

/** Pure: pairs up and down files by version, orders them, and reports every problem together. */
export function buildGolangMigrateSet(directory: string, sources: readonly SourceFile[]): MigrationSet {
  const problems: LoaderProblem[] = [];
  const byVersion = new Map<bigint, VersionFiles>();
  for (const source of sources) {
    const parsed = parseGolangMigrateFileName(source.name);
    if (!parsed) {
      problems.push({
        file: source.name,
        message: `file name "${source.name}" does not match ${GOLANG_MIGRATE_HINT}`,
      });
      continue;
    }
    const key = BigInt(parsed.version);
    const entry = byVersion.get(key) ?? { version: parsed.version, up: [], down: [] };
    entry[parsed.direction].push({ ...source, title: parsed.name });
    byVersion.set(key, entry);
  }
  const migrations: Migration[] = [];
  for (const entry of byVersion.values()) {
    const migration = pairFiles(entry, problems);
    if (migration) migrations.push(migration);
  }
  migrations.sort((a, b) => compareVersions(a.version, b.version));
  throwIfDirectoryProblems(problems, directory);
  return { directory, layout: 'golang-migrate', migrations };
}

function pairFiles(entry: VersionFiles, problems: LoaderProblem[]): Migration | null {
  for (const direction of ['up', 'down'] as const) {
    const [first, ...others] = entry[direction];
    for (const other of others) {
      problems.push({
        file: other.name,
        message: `version ${entry.version} has two ${direction} files, ${first!.name} and ${other.name} (versions are numbers, so 1 and 001 are the same); renumber one of them`,
      });
    }
  }
  const [up] = entry.up;
  const [down] = entry.down;
  if (!up) {
    problems.push({
      file: down!.name,
      message: `no up file for version ${entry.version}; add ${down!.name.replace(/\.down\.sql$/, '.up.sql')} or remove the down file`,
    });
    return null;
  }
  if (entry.up.length > 1 || entry.down.length > 1) return null;
  const downName = up.name.replace(/\.up\.sql$/, '.down.sql');
  const built = buildWholeFileMigration({
    version: up.name.split('_')[0]!,
    name: up.title,
    up,
    down,
    missingDown: `has no down file (${downName}): its rollback is restore-only`,
  });
  problems.push(...built.problems);
  return built.migration;
}
