// The dbmate layout (`--layout dbmate`): native files, with dbmate's looser rules so a dbmate
// project runs unchanged. Any name may follow the version digits (`20240101120000_CreateUsers.sql`,
// `1_init.sql`), and a down section that is missing or has nothing in it — dbmate's template
// leaves it so — has nothing to run to undo the migration: it is read as irreversible.
import type { Migration, MigrationSet } from '../model.ts';
import { type MigrationFiles, readSqlFiles, type SourceFile, sourceText } from './files.ts';
import { readNativeMigration } from './native.ts';
import { duplicateVersionProblems } from './native-set.ts';
import { type LoaderProblem, throwIfDirectoryProblems } from './problems.ts';
import { compareVersions } from './versions.ts';

export const DBMATE_FILE_PATTERN = /^(\d+)(?:_(.*))?\.sql$/;

export async function loadDbmateSet(files: MigrationFiles): Promise<MigrationSet> {
  return buildDbmateSet(files.root, await readSqlFiles(files, false));
}

/** Pure: every file parsed by the native rules under a stand-in name, then given back its own. */
export function buildDbmateSet(directory: string, sources: readonly SourceFile[]): MigrationSet {
  const problems: LoaderProblem[] = [];
  const migrations: Migration[] = [];
  const versions: { file: string; version: string }[] = [];
  for (const source of sources) {
    const match = DBMATE_FILE_PATTERN.exec(source.name);
    if (!match || /^0+$/.test(match[1]!)) {
      problems.push({
        file: source.name,
        message: `file name "${source.name}" does not match dbmate's <version>_<name>.sql (e.g. 20240101120000_create_users.sql; version 0 means "before the first migration")`,
      });
      continue;
    }
    const [, version, name = ''] = match;
    versions.push({ file: source.name, version: version! });
    const standIn = `${version!.padStart(4, '0')}_dbmate.sql`;
    const parsed = readNativeMigration(standIn, withIrreversibleDown(source.text));
    problems.push(...parsed.problems.map((problem) => ({ ...problem, file: source.name })));
    if (parsed.migration) {
      const migration = { ...parsed.migration, version: version!, name, file: source.name };
      if (migration.irreversible) {
        migration.irreversibleReason =
          'has no -- migrate:down section, or an empty one: its rollback is restore-only';
      }
      migrations.push(migration);
    }
  }
  problems.push(...duplicateVersionProblems(versions));
  migrations.sort((a, b) => compareVersions(a.version, b.version));
  throwIfDirectoryProblems(problems, directory);
  return { directory, layout: 'dbmate', migrations };
}

const downMarker = /^(--\s*migrate:down)\b[^\n]*$/m;
const nextMarker = /^--\s*migrate:/m;

/** The file with "irreversible" on a down marker whose section is blank, or such a marker added when there is none. */
export function withIrreversibleDown(raw: string): string {
  const text = sourceText(raw);
  const marker = downMarker.exec(text);
  if (!marker)
    return /^--\s*migrate:up/m.test(text)
      ? `${text.replace(/\n?$/, '\n')}-- migrate:down irreversible\n`
      : text;
  const bodyStart = marker.index + marker[0].length;
  const rest = text.slice(bodyStart);
  const next = nextMarker.exec(rest);
  const body = next ? rest.slice(0, next.index) : rest;
  if (body.trim() !== '') return text;
  return `${text.slice(0, marker.index)}${marker[1]} irreversible${text.slice(bodyStart)}`;
}
