// Which layout a migrations directory uses, from the names at its top level. A directory
// that mixes layouts is refused rather than guessed at: `--layout` settles it.
import { InputError } from '../errors.ts';
import type { LayoutName } from '../model.ts';
import { type DirectoryEntry, filePaths, listRoot, type MigrationFiles } from './files.ts';
import { parseFlywayFileName } from './flyway.ts';
import { GOLANG_MIGRATE_PATTERN } from './golang-migrate.ts';
import { NATIVE_FILE_PATTERN } from './native.ts';

const signatures: ReadonlyArray<{ layout: LayoutName; matches: (name: string) => boolean }> = [
  { layout: 'native', matches: (name) => NATIVE_FILE_PATTERN.test(name) },
  { layout: 'golang-migrate', matches: (name) => GOLANG_MIGRATE_PATTERN.test(name) },
  { layout: 'flyway', matches: (name) => parseFlywayFileName(name) !== null },
];

export async function detectLayout(files: MigrationFiles): Promise<LayoutName> {
  const entries = await listRoot(files);
  const names = entries.filter((entry) => entry.kind === 'file').map((entry) => entry.name);
  const layout = detectLayoutFromNames(names, files.root);
  if (layout !== 'native' || names.some((name) => NATIVE_FILE_PATTERN.test(name))) return layout;
  if (names.includes('flyway.conf')) return 'flyway';
  // Flyway projects often keep their scripts in subdirectories only (e.g. one per release).
  const nested = await nestedFileNames(files, entries);
  return nested.some((name) => parseFlywayFileName(name) !== null) ? 'flyway' : 'native';
}

/** Base names of the files in subdirectories, at any depth. */
async function nestedFileNames(
  files: MigrationFiles,
  rootEntries: readonly DirectoryEntry[],
): Promise<string[]> {
  const paths = await filePaths(files, '', rootEntries, true);
  return paths.filter((path) => path.includes('/')).map((path) => path.slice(path.lastIndexOf('/') + 1));
}

/** Pure: `sqitch.plan` or `sqitch.conf` means Sqitch; else the one layout whose file names are present; native when empty. */
export function detectLayoutFromNames(names: readonly string[], directory: string): LayoutName {
  // sqitch.conf can move the plan into top_dir, so either file means Sqitch.
  if (names.includes('sqitch.plan') || names.includes('sqitch.conf')) return 'sqitch';
  const found = signatures
    .map(({ layout, matches }) => ({
      layout,
      files: names.filter((name) => !name.startsWith('.') && matches(name)),
    }))
    .filter(({ files }) => files.length > 0);
  if (found.length === 0) return 'native';
  if (found.length === 1) return found[0]!.layout;
  const described = found
    .map(({ layout, files }) => `${files.length} ${layout} (e.g. ${files[0]})`)
    .join(', ');
  throw new InputError(
    `cannot tell the layout of ${directory}: it holds files of several layouts: ${described}; keep one layout per directory, or pass --layout <name>`,
  );
}
