// What the engine's steps share: finding a plan step's migration, the timeouts that apply
// to it, and running one of its sections with this execution's identity.

import type { SqlConnection } from '../ports.ts';
import { runSection, type SectionHooks } from './apply.ts';
import type { EngineContext } from './context.ts';
import { MigrationError } from './errors.ts';
import type { HistoryWrite } from './history.ts';
import type { Direction, Migration } from './model.ts';
import type { ExecutionInput, RunState } from './run-state.ts';

export function migrationOf(ctx: EngineContext, version: string): Migration {
  const migration = ctx.migrations.migrations.find((m) => m.version === version);
  if (!migration) {
    throw new MigrationError(`migration ${version} is in the plan but not in ${ctx.migrations.directory}`, {
      migration: version,
    });
  }
  return migration;
}

/** Timeouts of a run: what the input asks, else what the migration file says, else the deployment's. */
export type RunTimeouts = Pick<ExecutionInput, 'lockTimeoutMs' | 'statementTimeoutMs'>;

/** Who is running sections: an execution, or `stepmigrate check` on its scratch database. */
export type SectionRunner = Pick<RunState, 'executionId'> & { input: RunTimeouts };

export function timeoutsFor(ctx: EngineContext, input: RunTimeouts, migration: Migration) {
  return {
    lockTimeoutMs: input.lockTimeoutMs ?? migration.lockTimeoutMs ?? ctx.defaults.lockTimeoutMs,
    statementTimeoutMs:
      input.statementTimeoutMs ?? migration.statementTimeoutMs ?? ctx.defaults.statementTimeoutMs,
  };
}

/** Runs `migration`'s section in `direction` for this execution, recording it in the history. */
export function runMigrationSection(
  ctx: EngineContext,
  conn: SqlConnection,
  run: SectionRunner,
  migration: Migration,
  direction: Direction,
  alongside?: SectionHooks,
) {
  return runSection(conn, {
    alongside,
    migration,
    direction,
    ...timeoutsFor(ctx, run.input, migration),
    historySchema: ctx.historySchema,
    executionId: run.executionId,
    actor: ctx.actor,
  });
}

/** The history row that marks `migration` dirty for this execution, with why. */
export function dirtyRow(
  ctx: EngineContext,
  run: RunState,
  migration: Migration,
  direction: Direction,
  message: string,
): HistoryWrite {
  return {
    version: migration.version,
    name: migration.name,
    checksum: migration.checksum,
    state: 'dirty',
    direction,
    actor: ctx.actor,
    executionId: run.executionId,
    message,
  };
}
