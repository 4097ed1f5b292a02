// `stepmigrate check`: the pull-request gate (lint, then apply → verify → revert → apply
// again on a scratch database). Exit 0 when every migration round-trips, 1 when one does
// not, 2 for lint or syntax errors found before any database is touched.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { type CheckEvent, checkMigrations } from '../../lambdas/engine/check.ts';
import { dropSetupRoles, runCheckSetup } from '../../lambdas/engine/check-setup.ts';
import { ExitCode, InputError } from '../../lambdas/engine/errors.ts';
import { lintMigrations, loadLintConfig } from '../../lambdas/engine/lint/index.ts';
import { migrationLabel } from '../../lambdas/engine/model.ts';
import { checkSyntax, refuseLintErrors } from '../../lambdas/engine/planning.ts';
import { loadCheckSettings } from '../local/check-settings.ts';
import {
  addLocalOptions,
  type LocalOptions,
  loadProjectMigrations,
  localEngineContext,
  resolveDatabaseUrl,
} from '../local/project.ts';
import { projectRoot } from '../local/project-root.ts';
import { createScratchDatabase } from '../local/scratch-database.ts';
import { type OutputSink, paint, processSink } from '../sink.ts';

const PHASE_WORDS: Record<CheckEvent['phase'], string> = {
  apply: 'applied',
  verify: 'verified',
  revert: 'reverted',
  reapply: 're-applied',
};

export interface CheckOptions extends LocalOptions {
  /** SQL run on the scratch database before the first migration (stepmigrate.json: check.setup). */
  setup?: string;
}

/** The setup file named by --setup, else by stepmigrate.json; its path and text. */
async function setupScript(options: CheckOptions, projectDir: string) {
  const file = options.setup
    ? resolve(projectDir, options.setup)
    : (await loadCheckSettings(projectDir)).setup;
  if (!file) return undefined;
  const sql = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new InputError(
      `check setup file ${file} cannot be read (${(error as Error).message}); fix --setup or "check.setup"`,
      {
        file,
        cause: error,
      },
    );
  });
  return { file, sql };
}

export async function checkCommand(options: CheckOptions, sink: OutputSink): Promise<ExitCode> {
  const migrations = await loadProjectMigrations(options);
  await checkSyntax(migrations.migrations);
  const projectDir = projectRoot(options.migrations);
  const lintConfig = await loadLintConfig(projectDir);
  refuseLintErrors(lintMigrations(migrations.migrations, { allowIrreversible: true, config: lintConfig }));
  const setup = await setupScript(options, projectDir);
  const serverUrl = await resolveDatabaseUrl(options, projectDir);
  const scratch = await createScratchDatabase(serverUrl);
  const db = new PgDatabase(scratch.url);
  const createdRoles: string[] = [];
  try {
    if (setup) {
      const done = await db.withConnection((conn) => runCheckSetup(conn, setup.sql, setup.file));
      createdRoles.push(...done.createdRoles);
      if (!options.json) {
        const existing =
          done.existingRoles.length > 0
            ? `; roles already on the server, left as they are: ${done.existingRoles.join(', ')}`
            : '';
        sink.out(`  setup       ${setup.file}: ${done.statements} statement(s)${existing}`);
      }
    }
    const ctx = await localEngineContext({ db, migrations, projectDir });
    const result = await checkMigrations(ctx, (event) => {
      if (!options.json) {
        sink.out(
          `  ${paint(sink, 'green', PHASE_WORDS[event.phase].padEnd(10))}  ${migrationLabel(event)}  ${event.durationMs} ms`,
        );
      }
    });
    if (options.json) sink.out(JSON.stringify({ status: 'passed', ...result }, null, 2));
    else
      sink.out(`check passed: ${result.migrations} migrations apply, verify, revert exactly and apply again`);
    return ExitCode.ok;
  } finally {
    await db.close();
    await scratch.drop();
    if (createdRoles.length > 0) await dropRoles(serverUrl, createdRoles, sink);
  }
}

/** The roles the setup created are the server's, not the scratch database's: drop them too. */
async function dropRoles(serverUrl: string, roles: string[], sink: OutputSink): Promise<void> {
  const server = new PgDatabase(serverUrl);
  try {
    const left = await server.withConnection((conn) => dropSetupRoles(conn, roles));
    if (left.length > 0)
      sink.err(`check: could not drop role(s) ${left.join(', ')} that the setup created; drop them by hand`);
  } finally {
    await server.close();
  }
}

export function register(program: Command): void {
  const command = program
    .command('check')
    .description(
      'pull-request gate: lint, then on a scratch database apply every migration, verify it, revert all (schema compared at every step) and apply again',
    );
  command.option(
    '--setup <file.sql>',
    'SQL run on the scratch database first: schemas, extensions, roles, search_path (stepmigrate.json: check.setup); roles it creates are dropped afterwards, existing ones are left alone',
  );
  addLocalOptions(command).action(async (options: CheckOptions) => {
    process.exitCode = await checkCommand(options, processSink());
  });
}
