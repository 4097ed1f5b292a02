// What a run writes alongside a migration's own history row, in the same transaction: the
// history imported from another tool (at the run's first write), and that tool's own table
// when it is kept up to date.
import type { SqlConnection } from '../../ports.ts';
import type { SectionHooks } from '../apply.ts';
import type { EngineContext } from '../context.ts';
import { ensureHistory } from '../history.ts';
import type { Direction, Migration } from '../model.ts';
import { type RunHistory, writeImportedRows } from './import-history.ts';
import { mirrorHooks } from './tool-mirror.ts';

export async function sectionHooksForRun(
  conn: SqlConnection,
  ctx: EngineContext,
  history: RunHistory,
  migration: Migration,
  direction: Direction,
): Promise<SectionHooks | undefined> {
  const mirror = await mirrorHooks(conn, ctx.migrations, ctx.adopt ?? {}, migration, direction);
  if (history.toImport.length === 0) return mirror;
  // The table must exist before the transaction that fills it (creating it takes its own lock).
  await ensureHistory(conn, ctx.historySchema);
  ctx.log?.(`importing ${history.toImport.length} applied migration(s) from ${history.imported?.source}`);
  return {
    before: async (c) => {
      await writeImportedRows(c, ctx.historySchema, history.toImport);
      await mirror?.before?.(c);
    },
    after: mirror?.after,
  };
}
