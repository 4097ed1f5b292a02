// What every local command shares: the options of DESIGN §1.5 (`--migrations`, `--layout`,
// `--database-url`, `--json`) and turning them into an engine context over the right
// database — the one named, else `$DATABASE_URL`, else the embedded PostgreSQL.
import { type Command, Option } from 'commander';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { PostgresLease } from '../../lambdas/adapters/postgres-lease.ts';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { DEFAULT_HISTORY_SCHEMA } from '../../lambdas/engine/context.ts';
import { TIMEOUT_DEFAULTS } from '../../lambdas/engine/input.ts';
import { loadMigrations } from '../../lambdas/engine/loader/load.ts';
import type { LayoutName, MigrationSet } from '../../lambdas/engine/model.ts';
import { loadProjectSettings } from '../../lambdas/engine/project-settings.ts';
import type { Database } from '../../lambdas/ports.ts';
import { localUser } from '../aws/requester.ts';
import { localRunnerLimits } from '../local-runner/local-runners.ts';
import { checkedDatabaseUrl } from './database-url.ts';
import { ensureLocalDatabase } from './embedded-postgres.ts';
import { localProcessLiveness, thisProcess } from './process-holder.ts';
import { projectRoot } from './project-root.ts';

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

export interface DatabaseUrlOptions {
  /** A command that only reads: it uses the embedded server if there is one, never creates one. */
  readOnly?: boolean;
}

/** Where a local command's database is: the URL given, `$DATABASE_URL`, or the embedded one. */
export async function resolveDatabaseUrl(
  options: { databaseUrl?: string; migrations?: string },
  projectDir = projectRoot(options.migrations),
  how: DatabaseUrlOptions = {},
): Promise<string> {
  if (options.databaseUrl) return checkedDatabaseUrl(options.databaseUrl, '--database-url');
  const fromEnvironment = process.env.DATABASE_URL;
  if (fromEnvironment) return checkedDatabaseUrl(fromEnvironment, 'DATABASE_URL');
  return (await ensureLocalDatabase(projectDir, { existingOnly: how.readOnly })).url;
}

export function loadProjectMigrations(
  options: Pick<LocalOptions, 'migrations' | 'layout'>,
): Promise<MigrationSet> {
  return loadMigrations(options.migrations, { layout: options.layout ?? 'auto' });
}

export interface LocalEngineSettings {
  db: Database;
  migrations: MigrationSet;
  /** Where `stepmigrate.json` (lint rule settings) is looked for. */
  projectDir: string;
  historySchema?: string;
  /** `--keep-tool-history`: overrides stepmigrate.json's "adopt.keepToolHistory". */
  keepToolHistory?: boolean;
  log?: (line: string) => void;
}

/** What a local engine context is made of, apart from its migrations: the local runner composes these too. */
export function localEngineParts(settings: Omit<LocalEngineSettings, 'migrations'>) {
  const historySchema =
    settings.historySchema ?? process.env.STEPMIGRATE_HISTORY_SCHEMA ?? DEFAULT_HISTORY_SCHEMA;
  return {
    historySchema,
    defaults: { ...TIMEOUT_DEFAULTS },
    actor: `${localUser()}@local`,
    lease: new PostgresLease(settings.db, historySchema, { holder: thisProcess() }),
    holders: localProcessLiveness,
    loadSettings: async () => {
      const loaded = await loadProjectSettings(settings.projectDir);
      return { ...loaded, adopt: withFlag(loaded.adopt, settings.keepToolHistory) };
    },
  };
}

/** The engine context every local command and the local runner use: one recipe, so they agree. */
export async function localEngineContext(settings: LocalEngineSettings): Promise<EngineContext> {
  const { loadSettings, ...parts } = localEngineParts(settings);
  return {
    ...parts,
    db: settings.db,
    migrations: settings.migrations,
    ...(await loadSettings()),
    log: settings.log,
    // Locally the task runner is always there (a separate process): plan with it.
    runners: localRunnerLimits({}),
  };
}

function withFlag(adopt: EngineContext['adopt'], keepToolHistory: boolean | undefined) {
  return keepToolHistory === undefined ? adopt : { ...adopt, keepToolHistory };
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
  how: DatabaseUrlOptions = {},
): Promise<LocalEngine> {
  const migrations = await loadProjectMigrations(options);
  const projectDir = projectRoot(options.migrations);
  const db = new PgDatabase(await resolveDatabaseUrl(options, projectDir, how));
  const ctx = await localEngineContext({ db, migrations, projectDir, log });
  return { ctx, db, close: () => db.close() };
}
