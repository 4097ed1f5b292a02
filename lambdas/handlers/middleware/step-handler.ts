// Wraps a step's work in the cross-cutting middleware, in one place for all eight steps.
// onError runs in reverse order of `use`: a statement cancelled at the Lambda deadline is
// named first, the error normalised, then logged, counted and audited under its final name.
import middy from '@middy/core';
import { cancelRunningStatements } from '../../engine/cancellable-database.ts';
import type { AuditRecord, StepName } from '../../ports.ts';
import type { StepEvent } from '../events.ts';
import type { StepDependencies } from '../step-dependencies.ts';
import { auditMiddleware } from './audit.ts';
import { deadlineMiddleware } from './deadline.ts';
import { handsOverAtDeadline } from './hand-over.ts';
import { normalizeErrorMiddleware } from './normalize-error.ts';
import { auditWithRunner, metricsWithRunner } from './runner-record.ts';
import { stepLogMiddleware } from './step-log.ts';
import { stepMetricsMiddleware } from './step-metrics.ts';

export type StepHandler<E, R> = (event: E, context?: unknown) => Promise<R>;

export interface StepHandlerOptions<R> {
  /** Extra fields for the step's closing audit record. */
  resultDetail?(result: R): Pick<AuditRecord, 'detail' | 'error'>;
  /** What the step returns to the workflow, when that is less than what it audits. @default the result */
  output?(result: R): unknown;
}

export function stepHandler<E extends StepEvent, R>(
  step: StepName,
  deps: StepDependencies,
  work: (event: E) => Promise<R>,
  options: StepHandlerOptions<R> = {},
): StepHandler<E, R> {
  const common = { step, database: deps.database, now: deps.now };
  const checksums = async (versions: readonly string[]) => {
    const { migrations } = await deps.engine();
    const wanted = new Set(versions);
    return Object.fromEntries(
      migrations.migrations.filter((m) => wanted.has(m.version)).map((m) => [m.version, m.checksum]),
    );
  };
  const resultDetail = options.resultDetail as
    | ((result: unknown) => Pick<AuditRecord, 'detail' | 'error'>)
    | undefined;
  const runner = deps.runner ?? 'lambda';
  const auditLog = auditWithRunner(deps.auditLog, runner);
  const metrics = metricsWithRunner(deps.metrics, runner);
  const handler = middy<StepEvent, unknown>()
    .use(auditMiddleware({ ...common, auditLog, checksums, resultDetail, log: deps.log }))
    .use(stepMetricsMiddleware({ ...common, metrics, log: deps.log }))
    .use(stepLogMiddleware({ ...common, log: deps.log }))
    .use(normalizeErrorMiddleware())
    .use(
      deadlineMiddleware({
        step,
        log: deps.log,
        cancel: async () => cancelRunningStatements((await deps.engine()).db),
        marginMs: deps.deadlineMarginMs,
        handOver: (event) => handsOverAtDeadline(step, event, deps),
      }),
    )
    .handler((event) => work(event as E));
  const output = options.output ?? ((result: R) => result);
  // Lambda passes a real context; locally there is none.
  return async (event, context) => output((await handler(event, (context ?? {}) as never)) as R) as R;
}
