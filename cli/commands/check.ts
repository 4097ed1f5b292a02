// `stepmigrate check`: the pull-request gate (lint, then apply → verify → revert → apply
// again on a scratch database). Exit 0 when every migration round-trips, 2 otherwise.
import type { Command } from 'commander';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { PostgresLease } from '../../lambdas/adapters/postgres-lease.ts';
import { type CheckEvent, checkMigrations } from '../../lambdas/engine/check.ts';
import { DEFAULT_HISTORY_SCHEMA, type EngineContext } from '../../lambdas/engine/context.ts';
import { ExitCode, LintError } from '../../lambdas/engine/errors.ts';
import { TIMEOUT_DEFAULTS } from '../../lambdas/engine/input.ts';
import { lintMigrations } from '../../lambdas/engine/lint/index.ts';
import { checkSyntax } from '../../lambdas/engine/planning.ts';
import {
  addLocalOptions,
  type LocalOptions,
  loadProjectMigrations,
  resolveDatabaseUrl,
} from '../local/project.ts';
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
  const errors = lintMigrations(migrations.migrations, { allowIrreversible: true }).filter(
    (f) => f.severity === 'error',
  );
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new LintError(
      errors.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}: ${f.message}`).join('\n'),
      { migration: first.migration, file: first.file, line: first.line, column: first.column },
    );
  }
  const scratch = await createScratchDatabase(await resolveDatabaseUrl(options));
  const db = new PgDatabase(scratch.url);
  try {
    const ctx: EngineContext = {
      db,
      migrations,
      historySchema: DEFAULT_HISTORY_SCHEMA,
      defaults: { ...TIMEOUT_DEFAULTS },
      actor: 'stepmigrate check',
      lease: new PostgresLease(db, DEFAULT_HISTORY_SCHEMA),
    };
    const result = await checkMigrations(ctx, (event) => {
      if (!options.json) {
        sink.out(
          `  ${paint(sink, 'green', PHASE_WORDS[event.phase].padEnd(10))}  ${event.version}_${event.name}  ${event.durationMs} ms`,
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
