// Report's part of the engine: the run is over; give the lease back so the next run can start.
import type { EngineContext } from './context.ts';
import type { RunState } from './run-state.ts';

export async function releaseRun(
  ctx: EngineContext,
  run: Pick<RunState, 'database' | 'executionId'>,
): Promise<void> {
  await ctx.lease.release(run.database, run.executionId);
}
