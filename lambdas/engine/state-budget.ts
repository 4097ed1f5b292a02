// The execution state has a hard bound. Step Functions keeps at most 256 KiB of state per
// execution, and a state that outgrows it ends the execution with States.DataLimitExceeded,
// which no Catch sees: no Report, no metrics, the lease left held. So the plan's detail stays
// out of the state (it is in Validate's audit record), and Validate refuses, before the lease,
// a run whose state could grow past its budget by the time Report runs.
import { StateBudgetError } from './errors.ts';
import type { Finding, Plan, PlanStep } from './model.ts';
import type { RunState } from './run-state.ts';

/** Step Functions' limit on an execution's state, input and output. */
export const STATE_LIMIT_BYTES = 256 * 1024;
/** What a run may use of it; the rest is margin for what the estimate cannot know. */
export const STATE_BUDGET_BYTES = 200 * 1024;
/** Findings carried in the state (for the Approval message and the run output): the first warnings. */
export const FINDINGS_IN_STATE = 20;

// What each plan step adds by the time Report runs, beyond its entry in run.plan.steps:
// its Apply result ({ version, direction, durationMs, alreadyDone }), its version in
// Verify's and Rollback's lists, and in the run output its versions and its timeline entry.
const BYTES_PER_STEP = 190;
const BYTES_PER_STEP_VERSION = 4;
// A backed-up table: name twice (table and object key), SHA-256, rows, bytes, punctuation.
const BYTES_PER_BACKUP_TABLE = 160;
// Two errors may be in the state at once ($.error and $.rollbackError), each an Error name
// and a Cause that the step's error handling keeps short; plus Bake's progress, the keys and,
// when configured, the database snapshot's record and poll count (under 1 KiB).
const RESERVED_BYTES = 20 * 1024;

const jsonBytes = (value: unknown): number => new TextEncoder().encode(JSON.stringify(value)).length;

/** The plan as the execution state carries it: the steps and tables, a few findings, no risks. */
export function planForState(plan: Plan): Plan {
  const { risks: _risks, ...rest } = plan;
  const notable = plan.findings.filter((finding: Finding) => finding.severity !== 'info');
  return {
    ...rest,
    findings: notable.slice(0, FINDINGS_IN_STATE),
    findingsTotal: plan.findingsTotal ?? plan.findings.length,
  };
}

/** The run as Validate hands it to the workflow. */
export function runForState(run: RunState): RunState {
  return { ...run, plan: planForState(run.plan) };
}

/** The most state the workflow can hold for this run (`run` as runForState returns it). */
export function estimatedStateBytes(run: RunState): number {
  const perStep = (step: PlanStep) => BYTES_PER_STEP + BYTES_PER_STEP_VERSION * step.version.length;
  const steps = run.plan.steps.reduce((sum, step) => sum + perStep(step), 0);
  const tables = run.plan.backupTables.reduce(
    (sum, table) => sum + BYTES_PER_BACKUP_TABLE + 2 * table.length,
    0,
  );
  return jsonBytes({ run }) + steps + tables + RESERVED_BYTES;
}

/** Refuses, naming a target that fits, a run whose state could outgrow its budget. */
export function assertStateFits(run: RunState): void {
  const state = runForState(run);
  const bytes = estimatedStateBytes(state);
  if (bytes <= STATE_BUDGET_BYTES) return;
  const kib = (n: number) => Math.ceil(n / 1024);
  const fitting = stepsThatFit(state);
  const target = partTarget(state.plan, fitting);
  const advice =
    target === undefined
      ? 'its state does not fit even with one migration: shorten the migration names or split the migration set'
      : `run it in parts: first with the target ${target} (execution input {"target": "${target}"}, or \`stepmigrate run --target ${target}\`), then again`;
  throw new StateBudgetError(
    `the run of ${run.database} has ${run.plan.steps.length} migrations to ${run.plan.direction === 'up' ? 'apply' : 'revert'}, ` +
      `which would need about ${kib(bytes)} KiB of Step Functions state; its budget is ${kib(STATE_BUDGET_BYTES)} KiB ` +
      `(the limit is ${kib(STATE_LIMIT_BYTES)} KiB); nothing was changed — ${advice}`,
  );
}

/** How many leading plan steps fit the budget. */
function stepsThatFit(state: RunState): number {
  let low = 0;
  let high = state.plan.steps.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    const part = { ...state, plan: { ...state.plan, steps: state.plan.steps.slice(0, middle) } };
    if (estimatedStateBytes(part) <= STATE_BUDGET_BYTES) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The target that runs the first `count` steps: the last one applied, or the next one still applied. */
function partTarget(plan: Plan, count: number): string | undefined {
  if (count === 0) return undefined;
  return plan.direction === 'up' ? plan.steps[count - 1]?.version : plan.steps[count]?.version;
}
