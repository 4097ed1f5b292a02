// Reads a migrations directory into a MigrationSet. The layout is chosen by the caller
// (--layout) or detected; every layout yields the same ordered set of migrations.
import { InputError } from '../errors.ts';
import type { LayoutName, MigrationSet } from '../model.ts';
import { setAsideBrokenDowns } from './broken-down.ts';
import { loadDbmateSet } from './dbmate.ts';
import { detectLayout } from './detect.ts';
import { type MigrationFiles, nodeMigrationFiles } from './files.ts';
import { loadFlywaySet } from './flyway.ts';
import { loadGolangMigrateSet } from './golang-migrate.ts';
import { loadNativeSet } from './native-set.ts';
import { loadSqitchSet } from './sqitch.ts';
import { unwrapTransactions } from './unwrap-transaction.ts';

export interface LoadOptions {
  /** Which layout to read; 'auto' (the default) detects it. */
  layout?: LayoutName | 'auto';
  /** Where to read from; the local file system under `directory` by default. */
  files?: MigrationFiles;
}

type LayoutLoader = (files: MigrationFiles) => Promise<MigrationSet>;

const loaders: Record<LayoutName, LayoutLoader> = {
  native: loadNativeSet,
  dbmate: loadDbmateSet,
  'golang-migrate': async (files) =>
    setAsideBrokenDowns(await unwrapTransactions(await loadGolangMigrateSet(files))),
  flyway: loadFlywaySet,
  sqitch: loadSqitchSet,
};

export async function loadMigrations(directory: string, options: LoadOptions = {}): Promise<MigrationSet> {
  const files = options.files ?? nodeMigrationFiles(directory);
  const requested = options.layout ?? 'auto';
  const layout = requested === 'auto' ? await detectLayout(files) : requested;
  const loader = loaders[layout];
  if (!loader) {
    throw new InputError(`unknown layout "${layout}"; use one of ${Object.keys(loaders).join(', ')}`);
  }
  return loader(files);
}
