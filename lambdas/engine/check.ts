// The pull-request gate: on a scratch database, apply every migration (checking each verify
// section), revert them all newest first comparing the schema with what it was before each
// one, then apply them all again. A down section that forgets anything is named here,
// long before a production rollback would find out.

import type { SqlConnection } from '../ports.ts';
import { mirrorHooks } from './adopt/tool-mirror.ts';
import type { EngineContext } from './context.ts';
import { MigrationError, VerificationFailedError } from './errors.ts';
import { diffSchemas } from './fingerprint.ts';
import { ensureHistory } from './history.ts';
import { type Migration, type MigrationSet, migrationLabel } from './model.ts';
import { runSchemaState, type SchemaState } from './schema-state.ts';
import { chosenBaseline, covers } from './status.ts';
import { runMigrationSection, type SectionRunner } from './step-support.ts';
import { runVerifySection } from './verify.ts';

export type CheckPhase = 'apply' | 'verify' | 'revert' | 'reapply';

export interface CheckEvent {
  phase: CheckPhase;
  version: string;
  name: string;
  durationMs: number;
}

export interface CheckResult {
  migrations: number;
  events: CheckEvent[];
}

const CHECK_EXECUTION = 'stepmigrate-check';

/**
 * Runs the whole cycle on `ctx.db`, which must be a scratch database: the caller creates
 * and drops it. Throws the first failure, naming the migration and the first difference.
 */
export async function checkMigrations(
  ctx: EngineContext,
  onEvent: (event: CheckEvent) => void = () => {},
): Promise<CheckResult> {
  const migrations = checkedMigrations(ctx.migrations);
  const events: CheckEvent[] = [];
  const record = (phase: CheckPhase, migration: Migration, started: number) => {
    const event = {
      phase,
      version: migration.version,
      name: migration.name,
      durationMs: Date.now() - started,
    };
    events.push(event);
    onEvent(event);
  };
  await ctx.db.withConnection(async (conn) => {
    await ensureHistory(conn, ctx.historySchema);
    const before: SchemaState[] = [];
    for (const migration of migrations) {
      before.push(await runSchemaState(conn, ctx));
      let started = Date.now();
      await run(ctx, conn, migration, 'up');
      record('apply', migration, started);
      started = Date.now();
      if (await runVerifySection(conn, migration, ctx.defaults.statementTimeoutMs))
        record('verify', migration, started);
    }
    for (let index = migrations.length - 1; index >= 0; index--) {
      const migration = migrations[index]!;
      if (migration.irreversible) {
        throw new MigrationError(
          `${migrationLabel(migration)} is irreversible: check cannot revert past it; it can only be undone by restoring a backup`,
          { migration: migration.version, file: migration.file },
        );
      }
      const started = Date.now();
      await run(ctx, conn, migration, 'down');
      record('revert', migration, started);
      await assertSameSchema(conn, ctx, migration, before[index]!);
    }
    for (const migration of migrations) {
      const started = Date.now();
      await run(ctx, conn, migration, 'up');
      record('reapply', migration, started);
    }
  });
  return { migrations: migrations.length, events };
}

/** Check runs sections with no execution input: each migration's own timeouts, else the defaults. */
const CHECK_RUNNER: SectionRunner = { executionId: CHECK_EXECUTION, input: {} };

async function run(ctx: EngineContext, conn: SqlConnection, migration: Migration, direction: 'up' | 'down') {
  // A project whose migrations use their tool's own table needs it kept, on the scratch database too.
  const mirror = await mirrorHooks(conn, ctx.migrations, ctx.adopt ?? {}, migration, direction);
  return runMigrationSection(ctx, conn, CHECK_RUNNER, migration, direction, mirror);
}

async function assertSameSchema(
  conn: SqlConnection,
  ctx: EngineContext,
  migration: Migration,
  before: SchemaState,
) {
  const after = await runSchemaState(conn, ctx);
  if (after.fingerprint === before.fingerprint) return;
  const differences = diffSchemas(before.schema, after.schema);
  const shown = differences.slice(0, 5).join('; ');
  const more = differences.length > 5 ? ` (and ${differences.length - 5} more)` : '';
  throw new VerificationFailedError(
    `${migrationLabel(migration)} down does not undo its up: after reverting it, ${shown}${more} — make the down section remove exactly what up adds`,
    { migration: migration.version, file: migration.downFile ?? migration.file },
  );
}

/**
 * What check runs on its empty scratch database: the versioned chain, and repeatables. A Flyway
 * baseline is run (first) only when none of the versioned migrations it stands for is left,
 * since then nothing else builds that schema; otherwise the chain it summarises is checked.
 */
export function checkedMigrations(set: MigrationSet): Migration[] {
  const others = set.migrations.filter((m) => m.baselineOf === undefined);
  const baseline = chosenBaseline(set, true);
  const replaces = baseline !== undefined && !others.some((m) => covers(baseline, m));
  return replaces ? [baseline, ...others] : others;
}
