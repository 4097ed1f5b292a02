// `stepmigrate backups`: what backups exist, newest first, with their size and age; and
// `--prune` applies the retention the S3 bucket's lifecycle rule applies to local backups.
import type { Command } from 'commander';
import { defaultRetentionDays } from '../../lambdas/adapters/local-backup-store.ts';
import { readManifest } from '../../lambdas/engine/backup/manifest.ts';
import { formatBytes } from '../../lambdas/engine/bytes.ts';
import {
  type DatabaseSnapshotRecord,
  describeDatabaseSnapshot,
} from '../../lambdas/engine/database-snapshot.ts';
import { ExitCode, InputError } from '../../lambdas/engine/errors.ts';
import type { BackupStore, StoredObject } from '../../lambdas/ports.ts';
import { type BackupSourceOptions, openBackupStore } from '../local/backup-source.ts';
import { jsonOnFailure, type OutputSink, paint, processSink } from '../sink.ts';

export interface BackupsOptions {
  from?: string;
  json?: boolean;
  prune?: boolean;
  retentionDays?: string;
}

export interface BackupListing {
  executionId: string;
  database: string;
  /** The manifest's location: what `restore --from` takes. */
  manifest: string | null;
  createdAt: string | null;
  tables: string[];
  rows: number;
  /** Bytes stored (compressed objects and manifest). */
  bytes: number;
  ageDays: number | null;
  /** false when the objects have no manifest: the Backup step did not finish. */
  complete: boolean;
  /** The RDS or Aurora snapshot of the whole database taken before this backup, when configured. */
  databaseSnapshot?: DatabaseSnapshotRecord;
}

export async function listBackups(
  store: BackupStore,
  prefix = '',
  now = new Date(),
): Promise<BackupListing[]> {
  const groups = new Map<string, StoredObject[]>();
  for (const object of await store.list(prefix)) {
    const parts = object.key.slice(prefix.length).split('/');
    if (parts.length < 3) continue;
    const group = object.key.slice(0, object.key.length - parts.at(-1)!.length);
    groups.set(group, [...(groups.get(group) ?? []), object]);
  }
  const listings: BackupListing[] = [];
  for (const [group, objects] of groups) {
    const bytes = objects.reduce((sum, o) => sum + o.bytes, 0);
    const manifestObject = objects.find((o) => o.key === `${group}manifest.json`);
    const [database, executionId] = group.slice(prefix.length).split('/').map(decodeURIComponent);
    if (!manifestObject) {
      listings.push({
        executionId: executionId!,
        database: database!,
        manifest: null,
        createdAt: null,
        tables: [],
        rows: 0,
        bytes,
        ageDays: null,
        complete: false,
      });
      continue;
    }
    const manifest = await readManifest(store, manifestObject.key);
    listings.push({
      executionId: manifest.executionId,
      database: manifest.database,
      manifest: manifestObject.location,
      createdAt: manifest.createdAt,
      tables: manifest.tables.map((t) => t.name),
      rows: manifest.tables.reduce((sum, t) => sum + t.rows, 0),
      bytes,
      ageDays: Math.floor((now.getTime() - Date.parse(manifest.createdAt)) / 86_400_000),
      complete: true,
      ...(manifest.databaseSnapshot ? { databaseSnapshot: manifest.databaseSnapshot } : {}),
    });
  }
  return listings.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}

function renderBackups(listings: BackupListing[], where: string, sink: OutputSink): void {
  if (listings.length === 0) {
    sink.out(`no backups in ${where}`);
    return;
  }
  sink.out(`backups in ${where}, newest first:`);
  for (const b of listings) {
    const age = b.ageDays === null ? '?' : b.ageDays === 0 ? 'today' : `${b.ageDays} d`;
    const state = b.complete
      ? ''
      : paint(sink, 'yellow', '  INCOMPLETE (no manifest: the Backup step did not finish)');
    sink.out(
      `  ${b.executionId}  ${b.database}  ${b.tables.length} table(s), ${b.rows} rows  ${formatBytes(b.bytes)}  ${age}${state}`,
    );
    if (b.complete)
      sink.out(paint(sink, 'dim', `    ${b.tables.join(', ')}  →  stepmigrate restore --from ${b.manifest}`));
    if (b.databaseSnapshot)
      sink.out(paint(sink, 'dim', `    whole database: ${describeDatabaseSnapshot(b.databaseSnapshot)}`));
  }
}

export async function backupsCommand(
  options: BackupsOptions,
  sink: OutputSink,
  sources: BackupSourceOptions = {},
): Promise<ExitCode> {
  return jsonOnFailure(options.json, sink, {}, () => listOrPrune(options, sink, sources));
}

async function listOrPrune(
  options: BackupsOptions,
  sink: OutputSink,
  sources: BackupSourceOptions,
): Promise<ExitCode> {
  const opened = openBackupStore(options.from, sources);
  if (options.prune) {
    if (!opened.local)
      throw new InputError('--prune works on local backups; S3 backups expire by the bucket lifecycle rule');
    const days = Number(options.retentionDays ?? defaultRetentionDays);
    if (!Number.isFinite(days) || days < 0)
      throw new InputError(`--retention-days must be a number of days, got "${options.retentionDays}"`);
    const deleted = await opened.local.prune(days);
    if (options.json) sink.out(JSON.stringify({ deleted }, null, 2));
    else sink.out(`pruned ${deleted.length} object(s) older than ${days} days from ${opened.describe}`);
    return ExitCode.ok;
  }
  const listings = await listBackups(opened.store, opened.prefix);
  if (options.json) sink.out(JSON.stringify(listings, null, 2));
  else renderBackups(listings, opened.describe, sink);
  return ExitCode.ok;
}

export function register(program: Command): void {
  program
    .command('backups')
    .description('list backups (execution, database, tables, size, age), newest first')
    .option('--from <location>', 'backups directory or s3://bucket/prefix (default: .stepmigrate/backups)')
    .option('--prune', `delete local backups older than the retention (default ${defaultRetentionDays} days)`)
    .option('--retention-days <days>', 'retention for --prune')
    .option('--json', 'print machine-readable JSON only')
    .action(async (options: BackupsOptions) => {
      process.exitCode = await backupsCommand(options, processSink());
    });
}
