// What every local command shares: the options of DESIGN §1.5 (`--migrations`, `--layout`,
// `--database-url`, `--json`) and turning them into an engine context over the right
// database — the one named, else `$DATABASE_URL`, else the embedded PostgreSQL.
import { type Command, Option } from 'commander';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { PostgresLease } from '../../lambdas/adapters/postgres-lease.ts';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { DEFAULT_HISTORY_SCHEMA } from '../../lambdas/engine/context.ts';
import { TIMEOUT_DEFAULTS } from '../../lambdas/engine/input.ts';
import { loadLintConfig } from '../../lambdas/engine/lint/index.ts';
import { loadMigrations } from '../../lambdas/engine/loader/load.ts';
import type { LayoutName, MigrationSet } from '../../lambdas/engine/model.ts';
import { localUser } from '../aws/requester.ts';
import { localRunnerLimits } from '../local-runner/local-runners.ts';
import { ensureLocalDatabase } from './embedded-postgres.ts';

export const LAYOUTS: readonly LayoutName[] = ['native', 'sqitch', 'golang-migrate', 'flyway', 'dbmate'];

export interface LocalOptions {
  migrations: string;
  layout?: LayoutName;
  databaseUrl?: string;
  json?: boolean;
}

/** Adds the options every local command takes. */
export function addLocalOptions(command: Command): Command {
  return command
    .option('--migrations <dir>', 'migrations directory', './migrations')
    .addOption(new Option('--layout <name>', 'migration layout (default: detected)').choices([...LAYOUTS]))
    .option(
      '--database-url <url>',
      'target database (default: $DATABASE_URL, else the embedded PostgreSQL in .stepmigrate/)',
    )
    .option('--json', 'print machine-readable JSON only');
}

/** Where a local command's database is: the URL given, `$DATABASE_URL`, or the embedded one. */
export async function resolveDatabaseUrl(
  options: Pick<LocalOptions, 'databaseUrl'>,
  projectDir = process.cwd(),
) {
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  if (url) return url;
  return (await ensureLocalDatabase(projectDir)).url;
}

export function loadProjectMigrations(
  options: Pick<LocalOptions, 'migrations' | 'layout'>,
): Promise<MigrationSet> {
  return loadMigrations(options.migrations, { layout: options.layout ?? 'auto' });
}

export interface LocalEngineSettings {
  db: PgDatabase;
  migrations: MigrationSet;
  /** Where `stepmigrate.json` (lint rule settings) is looked for. */
  projectDir: string;
  historySchema?: string;
  log?: (line: string) => void;
}

/** The engine context every local command and the local runner use: one recipe, so they agree. */
export async function localEngineContext(settings: LocalEngineSettings): Promise<EngineContext> {
  const historySchema =
    settings.historySchema ?? process.env.STEPMIGRATE_HISTORY_SCHEMA ?? DEFAULT_HISTORY_SCHEMA;
  return {
    db: settings.db,
    migrations: settings.migrations,
    historySchema,
    defaults: { ...TIMEOUT_DEFAULTS },
    actor: `${localUser()}@local`,
    lease: new PostgresLease(settings.db, historySchema),
    lintConfig: await loadLintConfig(settings.projectDir),
    log: settings.log,
    // Locally the task runner is always there (a separate process): plan with it.
    runners: localRunnerLimits({}),
  };
}

export interface LocalEngine {
  ctx: EngineContext;
  db: PgDatabase;
  close(): Promise<void>;
}

/** Loads the migrations FIRST (bad files fail before any database is started), then connects. */
export async function openLocalEngine(
  options: LocalOptions,
  log?: (line: string) => void,
): Promise<LocalEngine> {
  const migrations = await loadProjectMigrations(options);
  const db = new PgDatabase(await resolveDatabaseUrl(options));
  const ctx = await localEngineContext({ db, migrations, projectDir: process.cwd(), log });
  return { ctx, db, close: () => db.close() };
}
