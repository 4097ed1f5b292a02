// `stepmigrate check`: the pull-request gate (lint, then apply → verify → revert → apply
// again on a scratch database). Exit 0 when every migration round-trips, 1 when one does
// not, 2 for lint or syntax errors found before any database is touched.
import type { Command } from 'commander';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { type CheckEvent, checkMigrations } from '../../lambdas/engine/check.ts';
import { ExitCode } from '../../lambdas/engine/errors.ts';
import { lintMigrations, loadLintConfig } from '../../lambdas/engine/lint/index.ts';
import { migrationLabel } from '../../lambdas/engine/model.ts';
import { checkSyntax, refuseLintErrors } from '../../lambdas/engine/planning.ts';
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

export async function checkCommand(options: LocalOptions, sink: OutputSink): Promise<ExitCode> {
  const migrations = await loadProjectMigrations(options);
  await checkSyntax(migrations.migrations);
  const projectDir = projectRoot(options.migrations);
  const lintConfig = await loadLintConfig(projectDir);
  refuseLintErrors(lintMigrations(migrations.migrations, { allowIrreversible: true, config: lintConfig }));
  const scratch = await createScratchDatabase(await resolveDatabaseUrl(options, projectDir));
  const db = new PgDatabase(scratch.url);
  try {
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
  }
}

export function register(program: Command): void {
  const command = program
    .command('check')
    .description(
      'pull-request gate: lint, then on a scratch database apply every migration, verify it, revert all (schema compared at every step) and apply again',
    );
  addLocalOptions(command).action(async (options: LocalOptions) => {
    process.exitCode = await checkCommand(options, processSink());
  });
}
