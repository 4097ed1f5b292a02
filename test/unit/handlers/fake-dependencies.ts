// In-memory step dependencies: a scripted engine and recording ports, so handler and
// workflow tests run without a database.
import type { EngineContext } from '../../../lambdas/engine/context.ts';
import { ApprovalRejectedError } from '../../../lambdas/engine/errors.ts';
import type { PlanStep } from '../../../lambdas/engine/model.ts';
import type { AppliedStep, BackupSummary, RunState } from '../../../lambdas/engine/run-state.ts';
import type { EngineSteps, StepDependencies } from '../../../lambdas/handlers/step-dependencies.ts';
import type {
  ApprovalRequest,
  AuditQuery,
  AuditRecord,
  BackupStore,
  MetricDatum,
} from '../../../lambdas/ports.ts';

export interface FakeScript {
  versions?: string[];
  status?: RunState['status'];
  requireApproval?: boolean;
  approve?: boolean;
  bakeSeconds?: number;
  alarms?: string[];
  /** Errors thrown by the n-th call (1-based) of a step, e.g. { apply: { 2: error } }. */
  failures?: Partial<Record<keyof EngineSteps, Record<number, Error>>>;
}

export class MemoryAuditLog {
  readonly records: AuditRecord[] = [];
  async append(record: AuditRecord): Promise<void> {
    this.records.push(structuredClone(record));
  }
  async list(query: AuditQuery): Promise<AuditRecord[]> {
    return this.records
      .filter((r) => query.executionId === undefined || r.executionId === query.executionId)
      .filter((r) => query.database === undefined || r.database === query.database)
      .slice()
      .reverse()
      .slice(0, query.limit ?? Number.POSITIVE_INFINITY);
  }
}

export function runStateFor(executionId: string, script: FakeScript, rawInput: unknown): RunState {
  const versions = script.versions ?? ['0001', '0002'];
  const input = (rawInput ?? {}) as Record<string, unknown>;
  const steps: PlanStep[] = versions.map((version) => ({ version, name: `m${version}`, direction: 'up' }));
  return {
    executionId,
    database: 'fake',
    input: {
      target: 'latest',
      dryRun: false,
      requireApproval: script.requireApproval ?? false,
      allowIrreversible: false,
      lockTimeoutMs: 3000,
      statementTimeoutMs: 900000,
      bakeSeconds: script.bakeSeconds ?? 0,
      requestedBy: typeof input.requestedBy === 'string' ? input.requestedBy : undefined,
    },
    status: script.status ?? (versions.length === 0 ? 'noop' : 'pending'),
    plan: {
      fromVersion: '0',
      toVersion: versions.at(-1) ?? '0',
      direction: 'up',
      steps,
      affectedTables: [],
      backupTables: [],
      findings: [],
    },
    fingerprintBefore: 'f0',
    startedAt: new Date().toISOString(),
  };
}

export function fakeDependencies(script: FakeScript = {}) {
  const calls: Record<string, number> = {};
  const auditLog = new MemoryAuditLog();
  const metrics: MetricDatum[] = [];
  const approvals: ApprovalRequest[] = [];
  const logs: string[] = [];
  const applied: string[] = [];
  const call = (step: keyof EngineSteps) => {
    calls[step] = (calls[step] ?? 0) + 1;
    const failure = script.failures?.[step]?.[calls[step]];
    if (failure) throw failure;
  };
  // As backupRun returns it: the workflow's result selector reads both down-run lists.
  const backup: BackupSummary = {
    location: '/tmp/backup',
    manifestKey: 'm.json',
    tables: [],
    broughtBack: [],
    notBroughtBack: [],
  };
  const steps: EngineSteps = {
    validateRun: async (_ctx, rawInput, executionId) => {
      call('validateRun');
      return runStateFor(executionId, script, rawInput);
    },
    applyPlanStep: async (_ctx, _run, step): Promise<AppliedStep> => {
      call('applyPlanStep');
      applied.push(step.version);
      return { version: step.version, direction: step.direction, durationMs: 1, alreadyDone: false };
    },
    verifyRun: async (_ctx, run) => {
      call('verifyRun');
      return { verified: run.plan.steps.map((s) => s.version) };
    },
    rollbackRun: async () => {
      call('rollbackRun');
      return { rolledBack: applied.splice(0).reverse() };
    },
    releaseRun: async () => call('releaseRun'),
    backupRun: async () => {
      call('backupRun');
      return backup;
    },
    dataRestorer: async () => undefined,
  };
  const ctx = {
    migrations: {
      directory: '/fake',
      layout: 'native',
      migrations: (script.versions ?? ['0001', '0002']).map((version) => ({
        version,
        checksum: `sum${version}`,
      })),
    },
  } as unknown as EngineContext;
  const deps: StepDependencies = {
    database: 'fake',
    engine: async () => ctx,
    steps,
    backupStore: {} as BackupStore,
    auditLog,
    metrics: { put: async (data) => void metrics.push(...data) },
    alarms: { alarmsInAlarm: async (names) => names.filter((n) => script.alarms?.includes(n)) },
    bakeAlarmNames: ['HighErrors'],
    approval: {
      requestApproval: async (request) => {
        approvals.push(request);
        if (script.approve === false) throw new ApprovalRejectedError('rejected by test');
      },
    },
    log: (line) => void logs.push(line),
  };
  return { deps, calls, auditLog, metrics, approvals, logs, applied };
}
