// The execution output of DESIGN §1.3, built by Report from the state and the audit log.
import type { Finding } from '../../engine/model.ts';
import type { RunOutput, StepTiming } from '../../engine/run-state.ts';
import { FINDINGS_IN_STATE } from '../../engine/state-budget.ts';
import type { AuditRecord } from '../../ports.ts';
import type { WorkflowState } from '../events.ts';
import { runOutcome } from './run-outcome.ts';

export interface RunOutputSource {
  executionId: string;
  state: WorkflowState;
  /** Database name when Validate did not get far enough to name it. */
  database: string;
  /** This execution's audit records, newest first. */
  audit: readonly AuditRecord[];
}

function timingName(record: AuditRecord): string {
  return record.step === 'Apply' && record.migrations?.length === 1
    ? `Apply ${record.migrations[0]}`
    : record.step;
}

/**
 * One entry per finished step invocation, in the order they started (audit times have
 * millisecond resolution, so the order of the records decides ties).
 */
export function stepTimeline(audit: readonly AuditRecord[]): StepTiming[] {
  const timeline: Array<StepTiming & { open: boolean }> = [];
  for (const record of [...audit].reverse()) {
    if (record.step === 'Repair') continue;
    const name = timingName(record);
    if (record.event === 'started') {
      timeline.push({ name, status: 'succeeded', startedAt: record.at, durationMs: 0, open: true });
    } else if (record.event === 'succeeded' || record.event === 'failed') {
      const entry = timeline.find((t) => t.open && t.name === name);
      if (!entry) continue;
      entry.open = false;
      entry.status = record.event;
      entry.durationMs = record.durationMs ?? 0;
    }
  }
  return timeline.filter((t) => !t.open).map(({ open: _open, ...timing }) => timing);
}

/** Versions whose Apply invocation succeeded, in the order they ran (also when the Map failed later). */
function stepsDone(state: WorkflowState, audit: readonly AuditRecord[]): string[] {
  if (state.applied) return state.applied.map((a) => a.version);
  const done = audit
    .filter((r) => r.step === 'Apply' && r.event === 'succeeded' && r.migrations?.length === 1)
    .map((r) => r.migrations?.[0] as string)
    .reverse();
  return [...new Set(done)];
}

/**
 * The findings of a run that lint refused at Validate, from that step's failure record: the
 * first few in the output, which must fit in the execution's state; how many in all.
 */
function refusedFindings(audit: readonly AuditRecord[]): { findings: Finding[]; total: number } {
  const refusal = audit.find(
    (r) => r.step === 'Validate' && r.event === 'failed' && r.error?.name === 'LintError',
  );
  const findings = refusal?.detail?.findings;
  const all = Array.isArray(findings) ? (findings as Finding[]) : [];
  const total =
    typeof refusal?.detail?.findingsTotal === 'number' ? refusal.detail.findingsTotal : all.length;
  return { findings: all.slice(0, FINDINGS_IN_STATE), total };
}

export function buildRunOutput(source: RunOutputSource): RunOutput {
  const { state, audit } = source;
  const { status, error } = runOutcome(state, audit);
  const run = state.run;
  const done = stepsDone(state, audit);
  const refused = refusedFindings(audit);
  const undone = state.rollback?.rolledBack ?? [];
  const down = run?.plan.direction === 'down';
  const output: RunOutput = {
    status,
    executionId: source.executionId,
    database: run?.database ?? source.database,
    fromVersion: run?.plan.fromVersion ?? '',
    toVersion: run?.plan.toVersion ?? '',
    applied: down ? undone : done,
    rolledBack: down ? done : undone,
    // Versions and the findings the state carries: the plan itself is not copied again.
    plan: {
      pending: run?.plan.steps.map((s) => s.version) ?? [],
      findings: run?.plan.findings ?? refused.findings,
      findingsTotal: run?.plan.findingsTotal ?? run?.plan.findings.length ?? refused.total,
    },
    steps: stepTimeline(audit),
  };
  if (state.backup) {
    output.backup = {
      location: state.backup.location,
      tables: state.backup.tables.map(({ key: _key, ...table }) => table),
    };
    if (state.backup.broughtBack?.length) output.backup.broughtBack = state.backup.broughtBack;
    if (state.backup.notBroughtBack?.length) output.backup.notBroughtBack = state.backup.notBroughtBack;
  }
  if (run?.databaseSnapshot) output.databaseSnapshot = run.databaseSnapshot;
  if (error) output.error = error;
  return output;
}
