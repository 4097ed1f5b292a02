// Which runner does each piece of a run's work. A step invocation on Lambda has at most 15
// minutes; work that may need longer — a migration that asks for it, one whose tables are big
// enough, a large backup or restore — runs on the long-running task runner (an ECS Fargate
// task on AWS, a separate process locally) that the same state machine starts. Pure: the
// plan, its size estimates and the configured limits in; the choice, or a refusal that names
// what to configure, out.
import { formatBytes } from './bytes.ts';
import { RunnerLimitError } from './errors.ts';
import {
  type Migration,
  migrationLabel,
  type Plan,
  type PlanRunners,
  type PlanStep,
  type Runner,
} from './model.ts';
import type { RunState } from './run-state.ts';
import { runForState } from './state-budget.ts';

/** The longest a Lambda function may run. */
export const LAMBDA_MAX_MS = 15 * 60_000;

/** Backup rate measured by `npm run bench` (COPY → gzip → store), bytes of table data per second. */
export const BACKUP_BYTES_PER_SECOND = 23_000_000;
/** Restore rate with verification, measured the same way. */
export const RESTORE_BYTES_PER_SECOND = 11_000_000;
/**
 * Rate at which a statement that rewrites or scans a table (ALTER TYPE, CREATE INDEX,
 * VALIDATE CONSTRAINT, a backfill) gets through it. An assumption on the slow side, not a
 * measurement: the real rate depends on the instance, indexes and concurrent load.
 */
export const REWRITE_BYTES_PER_SECOND = 20_000_000;
/** Estimates are rough: work goes to the task runner once it would need half an invocation. */
export const LAMBDA_SHARE = 0.5;

export interface RunnerLimits {
  /** How long one step invocation may run on Lambda (its timeout; locally configurable). */
  lambdaBudgetMs: number;
  /** Longest one task may run; undefined when no task runner is deployed. */
  taskBudgetMs?: number;
  /** Backups of more table data than this run on the task runner. @default what half the Lambda budget copies */
  backupTaskThresholdBytes?: number;
  /** Rollbacks that restore more than this run on the task runner. @default what half the Lambda budget restores */
  restoreTaskThresholdBytes?: number;
}

/** What a deployment without a task runner can do. */
export const LAMBDA_ONLY_LIMITS: RunnerLimits = { lambdaBudgetMs: LAMBDA_MAX_MS };

function bytesIn(ms: number, bytesPerSecond: number): number {
  return Math.floor((ms / 1000) * bytesPerSecond);
}

function msFor(bytes: number, bytesPerSecond: number): number {
  return Math.ceil((bytes / bytesPerSecond) * 1000);
}

export function backupThresholdBytes(limits: RunnerLimits): number {
  return (
    limits.backupTaskThresholdBytes ?? bytesIn(limits.lambdaBudgetMs * LAMBDA_SHARE, BACKUP_BYTES_PER_SECOND)
  );
}

export function restoreThresholdBytes(limits: RunnerLimits): number {
  return (
    limits.restoreTaskThresholdBytes ??
    bytesIn(limits.lambdaBudgetMs * LAMBDA_SHARE, RESTORE_BYTES_PER_SECOND)
  );
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.ceil(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.ceil(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** The work that needs the task runner, and why, in words for the refusal. */
interface TaskWork {
  what: string;
  why: string;
  estimateMs: number;
}

export interface RunnerChoice {
  steps: PlanStep[];
  runners: PlanRunners;
  /** Everything sent to the task runner, with the reason. */
  taskWork: TaskWork[];
}

/**
 * Chooses the runner of every step, of Backup and of Rollback. `stepBytes` is the size of
 * the tables each step rewrites or scans in full (version → bytes).
 */
export function chooseRunners(
  plan: Pick<Plan, 'steps' | 'direction' | 'backupEstimateBytes'>,
  migrations: readonly Migration[],
  stepBytes: Readonly<Record<string, number>>,
  limits: RunnerLimits,
): RunnerChoice {
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  const lambdaShareMs = limits.lambdaBudgetMs * LAMBDA_SHARE;
  const taskWork: TaskWork[] = [];
  const estimates: PlanRunners['estimates'] = { backupMs: 0, restoreMs: 0, steps: {} };

  const steps = plan.steps.map((step): PlanStep => {
    const migration = byVersion.get(step.version);
    const section = step.direction === 'up' ? migration?.up : migration?.down;
    const bytes = stepBytes[step.version] ?? 0;
    const estimateMs = msFor(bytes, REWRITE_BYTES_PER_SECOND);
    estimates.steps[step.version] = estimateMs;
    const label = migration ? migrationLabel(migration) : step.version;
    let runner: Runner = 'lambda';
    if (section?.runner === 'task') {
      runner = 'task';
      taskWork.push({
        what: `migration ${label}`,
        why: `it asks for it (-- migrate:${step.direction} runner:task)`,
        estimateMs,
      });
    } else if (estimateMs > lambdaShareMs) {
      runner = 'task';
      taskWork.push({
        what: `migration ${label}`,
        why: `it rewrites or scans ${formatBytes(bytes)} of tables, about ${formatDuration(estimateMs)}`,
        estimateMs,
      });
    }
    // Only the exception is written down: a step without `runner` runs on Lambda.
    return runner === 'task' ? { ...step, runner } : step;
  });

  const backupBytes = plan.backupEstimateBytes ?? 0;
  estimates.backupMs = msFor(backupBytes, BACKUP_BYTES_PER_SECOND);
  estimates.restoreMs = msFor(backupBytes, RESTORE_BYTES_PER_SECOND);
  const backup: Runner = backupBytes > backupThresholdBytes(limits) ? 'task' : 'lambda';
  if (backup === 'task') {
    taskWork.push({
      what: 'the backup',
      why: `it copies about ${formatBytes(backupBytes)}, about ${formatDuration(estimates.backupMs)}`,
      estimateMs: estimates.backupMs,
    });
  }

  // Rollback runs the inverse sections and restores the backup: it goes to the task runner
  // when the restore is big, when an inverse section asks for it, or when a step did (work that
  // long one way is rarely quick the other way). Erring towards the task only costs start-up time.
  const inverseAsks = plan.steps.some((step) => {
    const migration = byVersion.get(step.version);
    const inverse = step.direction === 'up' ? migration?.down : migration?.up;
    return inverse?.runner === 'task';
  });
  const restoreIsBig = backupBytes > restoreThresholdBytes(limits);
  const rollback: Runner =
    restoreIsBig || inverseAsks || steps.some((s) => s.runner === 'task') ? 'task' : 'lambda';
  if (restoreIsBig) {
    taskWork.push({
      what: 'a rollback',
      why: `it would restore about ${formatBytes(backupBytes)}, about ${formatDuration(estimates.restoreMs)}`,
      estimateMs: estimates.restoreMs,
    });
  }
  return { steps, runners: { backup, rollback, estimates }, taskWork };
}

/**
 * Refuses, before anything changes, a run that cannot finish: work that needs the task
 * runner where none is deployed, or work estimated to outlast the task runner's own limit.
 */
export function refuseUnfinishable(choice: RunnerChoice, limits: RunnerLimits): void {
  const problems: string[] = [];
  if (limits.taskBudgetMs === undefined) {
    for (const work of choice.taskWork) {
      problems.push(
        `${work.what} needs the task runner (${work.why}) and this deployment has none — deploy the ` +
          'MigrationWorkflow with its task runner (remove `taskRunner: false`; deploying it needs Docker)',
      );
    }
  } else {
    for (const work of choice.taskWork) {
      if (work.estimateMs > limits.taskBudgetMs) {
        problems.push(
          `${work.what} is estimated at ${formatDuration(work.estimateMs)} (${work.why}), longer than the task ` +
            `runner's limit of ${formatDuration(limits.taskBudgetMs)} — raise \`taskRunner.timeout\` on the ` +
            'MigrationWorkflow, or split the work into smaller migrations',
        );
      }
    }
  }
  if (problems.length > 0) {
    throw new RunnerLimitError(
      `this run cannot finish within the configured runners: ${problems.join('; ')}`,
    );
  }
}

/** ECS takes at most 8 KiB of container overrides per RunTask: the task's whole event. */
export const TASK_OVERRIDES_LIMIT_BYTES = 8192;
/** What besides the run state a task's overrides carry (task token, names, a caught error). */
const TASK_OVERRIDES_OTHER_BYTES = 3072;
/** A Rollback task also carries the backup summary and the applied steps. */
const BYTES_PER_BACKUP_TABLE = 320;
const BYTES_PER_APPLIED_STEP = 120;

function usesTaskRunner(plan: Plan): boolean {
  return (
    plan.steps.some((step) => step.runner === 'task') ||
    plan.runners?.backup === 'task' ||
    plan.runners?.rollback === 'task'
  );
}

/**
 * A task gets its event as container environment; a run whose state would not fit could not
 * start its task (and a Rollback that cannot start is the outcome Validate exists to prevent).
 */
export function refuseOversizedTaskEvent(run: RunState): void {
  if (!usesTaskRunner(run.plan)) return;
  const bytes =
    Buffer.byteLength(JSON.stringify(runForState(run))) +
    TASK_OVERRIDES_OTHER_BYTES +
    run.plan.backupTables.length * BYTES_PER_BACKUP_TABLE +
    run.plan.steps.length * BYTES_PER_APPLIED_STEP;
  if (bytes <= TASK_OVERRIDES_LIMIT_BYTES) return;
  throw new RunnerLimitError(
    `this run needs the task runner, and its state (about ${formatBytes(bytes)} with ${run.plan.steps.length} ` +
      `migrations and ${run.plan.findings.length} findings) would not fit the ${formatBytes(TASK_OVERRIDES_LIMIT_BYTES)} ` +
      'ECS allows a task to be started with — run fewer migrations at a time (execution input `target`)',
  );
}
