// One audit record when a step starts, and one when it succeeds or fails (DESIGN §1.4):
// who asked, which database and migrations (with checksums), how long, and what went wrong.

import type { MiddlewareObj } from '@middy/core';
import { LintError, messageOf, summarizeError } from '../../engine/errors.ts';
import type { AuditEvent, AuditLog, AuditRecord, StepName } from '../../ports.ts';
import { findingsThatFit } from '../audit-findings.ts';
import type { StepEvent } from '../events.ts';
import { type StepFacts, stepFacts } from './step-event.ts';
import { StepTimer } from './timing.ts';

export interface AuditOptions {
  step: StepName;
  auditLog: AuditLog;
  /** Database name to record before Validate has named it. */
  database: string;
  /** version → checksum for the given versions; best effort, {} when unknown. */
  checksums(versions: readonly string[]): Promise<Record<string, string>>;
  /** Extra fields for the closing record, taken from the step's result. */
  resultDetail?(result: unknown): Pick<AuditRecord, 'detail' | 'error'>;
  now?(): Date;
  /** Where a lost audit record of Rollback or Report is reported. */
  log?(line: string): void;
}

// Rollback and Report put the database back and give the lease back: an audit store outage
// must not stop them, or one outage would leave a run half-applied. Their records are best effort.
const mustRunWithoutAudit = new Set<StepName>(['Rollback', 'Report']);

export function auditMiddleware(options: AuditOptions): MiddlewareObj<StepEvent, unknown> {
  const timer = new StepTimer(options.now);

  const record = async (
    facts: StepFacts,
    event: AuditEvent,
    at: Date,
    extra: Partial<AuditRecord>,
  ): Promise<void> => {
    const entry: AuditRecord = {
      executionId: facts.executionId,
      database: facts.database,
      step: options.step,
      event,
      at: at.toISOString(),
      ...extra,
    };
    if (facts.migrations.length > 0) {
      entry.migrations = facts.migrations;
      entry.checksums = await options.checksums(facts.migrations).catch(() => ({}));
    }
    if (facts.requestedBy !== undefined) entry.requestedBy = facts.requestedBy;
    try {
      await options.auditLog.append(entry);
    } catch (error) {
      if (!mustRunWithoutAudit.has(options.step)) throw error;
      const reason = messageOf(error);
      options.log?.(`${options.step}: audit record "${event}" lost (${reason}); the step runs anyway`);
    }
  };

  return {
    before: async (request) => {
      const at = timer.start(request);
      await record(stepFacts(request.event, options.database), 'started', at, {});
    },
    after: async (request) => {
      const { durationMs, at } = timer.stop(request);
      const facts = stepFacts(request.event, options.database, request.response);
      await record(facts, 'succeeded', at, { durationMs, ...options.resultDetail?.(request.response) });
    },
    onError: async (request) => {
      const { durationMs, at } = timer.stop(request);
      const facts = stepFacts(request.event, options.database);
      // The step's own error is what matters; a failing audit write must not replace it.
      // A lint refusal keeps its findings, so the run's output can list them (plan.findings).
      const findings =
        request.error instanceof LintError
          ? {
              detail: {
                findings: findingsThatFit(request.error.findings),
                findingsTotal: request.error.findings.length,
              },
            }
          : {};
      await record(facts, 'failed', at, {
        durationMs,
        error: summarizeError(request.error),
        ...findings,
      }).catch(() => undefined);
    },
  };
}
