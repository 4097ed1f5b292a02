// How long a run's lease is taken for. Every step renews it; Validate's must also cover the
// approval wait, when nothing renews it. Its own module, so a step's bundle that only needs
// the defaults does not pull in the rest of the engine's steps.
import type { EngineContext } from './context.ts';
import type { ExecutionInput } from './run-state.ts';

/** How long a run's lease lasts without renewal, unless the context says; every step renews it. */
export const DEFAULT_LEASE_TTL_MS = 30 * 60 * 1000;
/** How long Approval waits for an answer, unless the context says (the workflow's default). */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 24 * 60 * 60 * 1000;

export function leaseTtl(ctx: EngineContext, input: ExecutionInput): number {
  const base = ctx.leaseTiming?.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  return Math.max(base, (input.statementTimeoutMs ?? 0) * 2, input.bakeSeconds * 1000 * 2);
}

/**
 * Validate's lease must also outlast the approval wait: nothing renews it while the execution
 * waits for a task token, and another run must not slip in between approval and Apply.
 */
export function validateLeaseTtl(ctx: EngineContext, input: ExecutionInput): number {
  const approval = input.requireApproval
    ? (ctx.leaseTiming?.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS)
    : 0;
  return leaseTtl(ctx, input) + approval;
}
