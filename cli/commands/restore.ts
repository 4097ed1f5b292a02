// `stepmigrate restore --from <backup>`: puts tables back from a backup, in one transaction
// that commits only when every table reads back exactly as the backup holds it.
import type { Command } from 'commander';
import { pgCopyStreams } from '../../lambdas/adapters/pg-copy-streams.ts';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { type RestoreResult, restoreTables } from '../../lambdas/engine/backup/restore-tables.ts';
import { ExitCode } from '../../lambdas/engine/errors.ts';
import { type BackupSourceOptions, openBackupSource } from '../local/backup-source.ts';
import { resolveDatabaseUrl } from '../local/project.ts';
import { jsonOnFailure, type OutputSink, paint, processSink } from '../sink.ts';

export interface RestoreOptions {
  from: string;
  table?: string[];
  databaseUrl?: string;
  json?: boolean;
  check?: boolean;
}

export async function restoreCommand(
  options: RestoreOptions,
  sink: OutputSink,
  sources: BackupSourceOptions = {},
): Promise<ExitCode> {
  // A refusal is a result too: machines get one JSON document, people the line on stderr.
  return jsonOnFailure(options.json, sink, { from: options.from, committed: false }, () =>
    restoreFrom(options, sink, sources),
  );
}

async function restoreFrom(
  options: RestoreOptions,
  sink: OutputSink,
  sources: BackupSourceOptions,
): Promise<ExitCode> {
  const source = await openBackupSource(options.from, sources);
  const db = new PgDatabase(await resolveDatabaseUrl(options), {}, { copy: pgCopyStreams });
  try {
    const result = await restoreTables(
      { db, store: source.store, log: options.json ? undefined : (line) => sink.err(line) },
      { manifest: source.manifest, tables: options.table, mode: options.check ? 'check' : 'replace' },
    );
    if (options.json) sink.out(JSON.stringify({ from: source.from, ...result }, null, 2));
    else renderRestore(result, source.from, db.name, sink);
    return ExitCode.ok;
  } finally {
    await db.close();
  }
}

function renderRestore(result: RestoreResult, from: string, database: string, sink: OutputSink): void {
  const verb = result.committed ? 'restored' : 'checked (rolled back, nothing changed)';
  sink.out(
    `${verb} ${result.tables.length} table(s) into ${database} from ${from} (execution ${result.executionId})`,
  );
  for (const table of result.tables) {
    const notes = [
      table.recreated ? 'recreated' : '',
      table.addedColumns.length > 0 ? `columns added back: ${table.addedColumns.join(', ')}` : '',
    ].filter(Boolean);
    sink.out(
      `  ${paint(sink, 'green', '✓')} ${table.name}: ${table.rows} rows, verified by ${table.verifiedBy}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
    );
  }
  for (const view of result.recreatedViews) {
    sink.out(`  ${paint(sink, 'green', '✓')} ${view}: view recreated (a DROP … CASCADE had taken it)`);
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function register(program: Command): void {
  program
    .command('restore')
    .description(
      'restore tables from a backup (a manifest file or s3:// URI); all or nothing, verified before commit',
    )
    .requiredOption('--from <backup>', 'manifest.json path, its directory, or s3://bucket/…/manifest.json')
    .option(
      '--table <schema.table>',
      'restore only this table (repeatable; default: every table in the backup)',
      collect,
    )
    .option('--check', 'restore and verify inside a transaction, then roll back: proves the backup restores')
    .option(
      '--database-url <url>',
      'target database (default: $DATABASE_URL, else the embedded PostgreSQL in .stepmigrate/)',
    )
    .option('--json', 'print machine-readable JSON only')
    .action(async (options: RestoreOptions) => {
      process.exitCode = await restoreCommand(options, processSink());
    });
}
