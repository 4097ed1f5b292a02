// What the step handlers need from the world. The Lambdas build it from the environment
// (aws/aws-dependencies.ts, AWS adapters); the local runner builds it from CLI options (local
// adapters); both through compose-step-dependencies.ts. The handlers and their middleware are
// the same code in both.
import type { EngineContext } from '../engine/context.ts';
import type { PlanStep, Runner } from '../engine/model.ts';
import type { DataRestorer } from '../engine/rollback.ts';
import type { AppliedStep, BackupSummary, RunState } from '../engine/run-state.ts';
import type { AlarmReader, ApprovalNotifier, AuditLog, BackupStore, Metrics } from '../ports.ts';

/** The engine functions the steps call, injectable so handler tests need no database. */
export interface EngineSteps {
  validateRun(ctx: EngineContext, rawInput: unknown, executionId: string): Promise<RunState>;
  applyPlanStep(ctx: EngineContext, run: RunState, step: PlanStep): Promise<AppliedStep>;
  verifyRun(ctx: EngineContext, run: RunState): Promise<{ verified: string[] }>;
  rollbackRun(
    ctx: EngineContext,
    run: RunState,
    backup?: BackupSummary,
    restorer?: DataRestorer,
  ): Promise<{ rolledBack: string[] }>;
  releaseRun(ctx: EngineContext, run: Pick<RunState, 'database' | 'executionId'>): Promise<void>;
  backupRun(ctx: EngineContext, store: BackupStore, run: RunState): Promise<BackupSummary>;
  dataRestorer(ctx: EngineContext, store: BackupStore): Promise<DataRestorer | undefined>;
}

export interface StepDependencies {
  /** Display name of the target database, used until Validate has named it. */
  database: string;
  /** The engine context, built on first use and kept (one per container or local run). */
  engine(): Promise<EngineContext>;
  steps: EngineSteps;
  backupStore: BackupStore;
  auditLog: AuditLog;
  metrics: Metrics;
  alarms: AlarmReader;
  /** CloudWatch alarm names Bake watches. */
  bakeAlarmNames: readonly string[];
  approval: ApprovalNotifier;
  /** One line of operational log; the middleware redacts credentials before calling it. */
  log(line: string): void;
  now?(): Date;
  /** Which runner executes the steps: recorded in every audit record. @default 'lambda' */
  runner?: Runner;
  /** How long before the invocation's deadline its statements are cancelled. @default DEADLINE_MARGIN_MS */
  deadlineMarginMs?: number;
}
