// Reads a migrations directory into a MigrationSet. The layout is chosen by the caller
// (--layout) or detected; every layout yields the same ordered set of migrations.
import type { LayoutName, MigrationSet } from '../model.ts';
import { type MigrationFiles, nodeMigrationFiles } from './files.ts';
import { loadNativeSet } from './native-set.ts';

export interface LoadOptions {
  /** Which layout to read; 'auto' (the default) detects it. */
  layout?: LayoutName | 'auto';
  /** Where to read from; the local file system under `directory` by default. */
  files?: MigrationFiles;
}

export async function loadMigrations(directory: string, options: LoadOptions = {}): Promise<MigrationSet> {
  const files = options.files ?? nodeMigrationFiles(directory);
  const layout = options.layout ?? 'auto';
  if (layout === 'dbmate') return { ...(await loadNativeSet(files)), layout: 'dbmate' };
  return loadNativeSet(files);
}
