// `stepmigrate baseline --version V`: for a database whose schema is already at V but that
// has no history at all — neither ours nor another tool's (that would be imported instead) —
// record every migration up to V as applied, without running any. One transaction, under the
// advisory lock, so a run cannot start half-way through it.
import { withAdvisoryLock } from '../advisory-lock.ts';
import type { EngineContext } from '../context.ts';
import { InputError } from '../errors.ts';
import { ensureHistory, readHistory, writeHistory } from '../history.ts';
import { targetIndex } from '../loader/versions.ts';
import { inVersionOrder, migrationLabel } from '../model.ts';
import { withTransaction } from '../transaction.ts';
import { readToolHistory } from './import-history.ts';

export interface BaselineRequest {
  version: string;
  reason?: string;
}

export interface BaselineResult {
  /** The versions recorded as applied, in order. */
  recorded: string[];
  executionId: string;
  summary: string;
}

export async function baselineDatabase(
  ctx: EngineContext,
  request: BaselineRequest,
): Promise<BaselineResult> {
  const last = targetIndex(ctx.migrations, request.version);
  if (last === -1) {
    throw new InputError(
      `baseline --version ${request.version}: that is the state before the first migration, and there is nothing to record; name the last migration the database already has`,
    );
  }
  const migrations = ctx.migrations.migrations.slice(0, last + 1).filter(inVersionOrder);
  const executionId = `baseline-${new Date().toISOString()}`;
  const reason = request.reason?.trim() ?? '';
  return ctx.db.withConnection(async (conn) => {
    await refuseExistingHistory(ctx, await readHistory(conn, ctx.historySchema).then((rows) => rows.length));
    const tool = await readToolHistory(conn, ctx);
    if (tool && tool.applied.length > 0) {
      throw new InputError(
        `${ctx.db.name} has ${tool.tool}'s history in ${tool.source}: the first run imports it (docs/adopting.md); ` +
          'a baseline is only for databases with no history at all',
      );
    }
    await ensureHistory(conn, ctx.historySchema);
    return withAdvisoryLock(conn, ctx.historySchema, () =>
      withTransaction(conn, 'BEGIN', async () => {
        // Checked again under the lock: a run may have written its first row meanwhile.
        await refuseExistingHistory(ctx, (await readHistory(conn, ctx.historySchema)).length);
        for (const migration of migrations) {
          await writeHistory(conn, ctx.historySchema, {
            version: migration.version,
            name: migration.name,
            checksum: migration.checksum,
            state: 'applied',
            direction: 'up',
            actor: ctx.actor,
            executionId,
            message: `baselined by ${ctx.actor}${reason ? `: ${reason}` : ''} (not run by stepmigrate)`,
          });
        }
        const lastMigration = migrations.at(-1)!;
        return {
          recorded: migrations.map((m) => m.version),
          executionId,
          summary: `${migrations.length} migration(s) up to ${migrationLabel(lastMigration)} recorded as applied on ${ctx.db.name}; nothing was run`,
        };
      }),
    );
  });
}

async function refuseExistingHistory(ctx: EngineContext, rows: number): Promise<void> {
  if (rows === 0) return;
  throw new InputError(
    `${ctx.db.name} already has a history (${rows} row(s) in ${ctx.historySchema}.schema_history): a baseline is only for ` +
      'databases with none; see `stepmigrate status`',
  );
}
