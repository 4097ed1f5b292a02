// `stepmigrate db start|stop`: the embedded PostgreSQL that local commands use when no
// --database-url or DATABASE_URL is given. It starts on demand and keeps running between
// commands (so two commands share it); `db stop` ends it, keeping the data in .stepmigrate/.
import { Command } from 'commander';
import { redactUrl } from '../../lambdas/adapters/pg-database.ts';
import { ExitCode } from '../../lambdas/engine/errors.ts';
import { ensureLocalDatabase, localStateDir, stopEmbeddedPostgres } from '../local/embedded-postgres.ts';
import { projectRoot } from '../local/project-root.ts';
import { type OutputSink, processSink } from '../sink.ts';

export async function dbStart(projectDir: string, sink: OutputSink, showPassword = false): Promise<ExitCode> {
  const local = await ensureLocalDatabase(projectDir);
  const url = showPassword ? local.url : redactUrl(local.url);
  sink.out(`${local.started ? 'started' : 'already running'}: ${url} (data in ${local.dataDir})`);
  return ExitCode.ok;
}

export async function dbStop(projectDir: string, sink: OutputSink): Promise<ExitCode> {
  const { stopped } = await stopEmbeddedPostgres(projectDir);
  sink.out(stopped ? `stopped; data kept in ${localStateDir(projectDir)}` : 'not running');
  return ExitCode.ok;
}

export function register(program: Command): void {
  const db = new Command('db').description(
    'the embedded PostgreSQL 17 that local commands use without --database-url (started on demand, kept running)',
  );
  db.command('start')
    .description('start it (or find it running) and print its URL')
    .option('--show-password', 'print the URL with its password, e.g. for psql')
    .action(async (options: { showPassword?: boolean }) => {
      process.exitCode = await dbStart(projectRoot(), processSink(), options.showPassword);
    });
  db.command('stop')
    .description('stop it; the data stays in .stepmigrate/pgdata')
    .action(async () => {
      process.exitCode = await dbStop(projectRoot(), processSink());
    });
  program.addCommand(db);
}
