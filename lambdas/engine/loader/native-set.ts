// Turns the files of a native migrations directory into an ordered MigrationSet:
// numeric order, gaps allowed, two files with the same version refused.
import type { Migration, MigrationSet } from '../model.ts';
import { type MigrationFiles, readSqlFiles, type SourceFile } from './files.ts';
import { parseNativeFileName, readNativeMigration } from './native.ts';
import { type LoaderProblem, throwIfDirectoryProblems } from './problems.ts';
import { compareVersions } from './versions.ts';

/** Reads the `*.sql` files at the top of the directory; other files and subdirectories are not migrations. */
export async function loadNativeSet(files: MigrationFiles): Promise<MigrationSet> {
  return buildNativeSet(files.root, await readSqlFiles(files, false));
}

/** Pure: parses every file, then orders them; throws one InputError listing every problem. */
export function buildNativeSet(directory: string, sources: readonly SourceFile[]): MigrationSet {
  const problems: LoaderProblem[] = [];
  const migrations: Migration[] = [];
  const byName = [...sources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const source of byName) {
    const parsed = readNativeMigration(source.name, source.text);
    problems.push(...parsed.problems);
    if (parsed.migration) migrations.push(parsed.migration);
  }
  migrations.sort((a, b) => compareVersions(a.version, b.version) || (a.file < b.file ? -1 : 1));
  problems.push(...duplicateVersionProblems(versionsOf(byName)));
  throwIfDirectoryProblems(problems, directory);
  return { directory, layout: 'native', migrations };
}

export interface VersionedFile {
  file: string;
  version: string;
}

/** Checked on file names alone, so a duplicate is reported even when one of the files has other problems. */
function versionsOf(sources: readonly SourceFile[]): VersionedFile[] {
  return sources.flatMap((source) => {
    const parts = parseNativeFileName(source.name);
    return parts ? [{ file: source.name, version: parts.version }] : [];
  });
}

/** One problem per file whose version another file already uses ("0001" and "00001" are the same). */
export function duplicateVersionProblems(files: readonly VersionedFile[]): LoaderProblem[] {
  const sorted = [...files].sort(
    (a, b) => compareVersions(a.version, b.version) || (a.file < b.file ? -1 : 1),
  );
  const problems: LoaderProblem[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    if (compareVersions(previous.version, current.version) !== 0) continue;
    problems.push({
      file: current.file,
      message: `version ${current.version} is also used by ${previous.file}; each migration needs its own version, so renumber one of ${previous.file} and ${current.file}`,
    });
  }
  return problems;
}
