// What `repair` and `baseline` share: an operator's decision, once the engine has carried it
// out, is written to the project's audit log and reported.
import { LocalAuditLog } from '../../lambdas/adapters/local-audit-log.ts';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import type { AuditLog } from '../../lambdas/ports.ts';
import type { OutputSink } from '../sink.ts';
import { projectRoot } from './project-root.ts';

/** The audit log of the project whose migrations these are, wherever the command was started. */
export function projectAuditLog(migrationsDir: string | undefined): AuditLog {
  return LocalAuditLog.forProject(projectRoot(migrationsDir));
}

export interface OperatorDecision {
  executionId: string;
  migrations: string[];
  detail: Record<string, unknown>;
  result: { summary: string };
}

/** Audits the decision as a `Repair` step of the database, then prints its result. */
export async function recordOperatorDecision(
  ctx: Pick<EngineContext, 'db' | 'actor'>,
  auditLog: AuditLog,
  sink: OutputSink,
  json: boolean | undefined,
  decision: OperatorDecision,
): Promise<void> {
  await auditLog.append({
    executionId: decision.executionId,
    database: ctx.db.name,
    step: 'Repair',
    event: 'repaired',
    at: new Date().toISOString(),
    migrations: decision.migrations,
    requestedBy: ctx.actor,
    detail: decision.detail,
  });
  sink.out(
    json
      ? JSON.stringify(decision.result, null, 2)
      : `${decision.result.summary} (recorded in the audit log)`,
  );
}
