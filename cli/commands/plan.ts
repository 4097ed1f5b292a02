// `stepmigrate plan`: Validate and plan exactly as a run would, and change nothing.
import type { Command } from 'commander';
import { formatBytes } from '../../lambdas/engine/bytes.ts';
import { ExitCode } from '../../lambdas/engine/errors.ts';
import type { StepRisk } from '../../lambdas/engine/model.ts';
import type { RunState } from '../../lambdas/engine/run-state.ts';
import { validateRun } from '../../lambdas/engine/steps.ts';
import {
  addExecutionInputOptions,
  type ExecutionInputFlags,
  executionInputFromFlags,
} from '../input-flags.ts';
import { addLocalOptions, type LocalOptions, openLocalEngine } from '../local/project.ts';
import { type OutputSink, paint, processSink } from '../sink.ts';

/** One line per kind of risk: the locks it takes, what it rewrites, scans or destroys. */
export function describeRisk(risk: StepRisk): string[] {
  const lines: string[] = [];
  if (risk.locks.length > 0)
    lines.push(`locks: ${risk.locks.map((l) => `${l.mode} on ${l.table}`).join(', ')}`);
  if (risk.rewrites.length > 0) lines.push(`rewrites every row of: ${risk.rewrites.join(', ')}`);
  if (risk.scans.length > 0) lines.push(`reads in full under that lock: ${risk.scans.join(', ')}`);
  if (risk.destroys.length > 0) lines.push(`can delete or change rows of: ${risk.destroys.join(', ')}`);
  if (risk.outsideTransaction) lines.push('runs outside a transaction: a failure half-way leaves it dirty');
  return lines;
}

export function renderPlan(run: RunState, sink: OutputSink): void {
  const { plan } = run;
  if (plan.steps.length === 0) {
    sink.out(`${run.database}: nothing to do, already at ${plan.fromVersion}`);
    return;
  }
  const verb = plan.direction === 'up' ? 'apply' : 'revert';
  sink.out(
    `${run.database}: ${plan.fromVersion} → ${plan.toVersion}, ${verb} ${plan.steps.length} migration(s):`,
  );
  for (const step of plan.steps) {
    const onTask = step.runner === 'task' ? '  (on the task runner)' : '';
    sink.out(`  ${step.direction === 'up' ? '+' : '-'} ${step.version}_${step.name}${onTask}`);
    const risk = plan.risks?.find((r) => r.version === step.version);
    if (risk) for (const line of describeRisk(risk)) sink.out(`      ${line}`);
  }
  if (plan.affectedTables.length > 0) sink.out(`tables touched: ${plan.affectedTables.join(', ')}`);
  sink.out(
    plan.backupTables.length > 0
      ? `backed up before apply: ${plan.backupTables.join(', ')} (about ${formatBytes(plan.backupEstimateBytes ?? 0)} of table data now)`
      : 'backed up before apply: nothing (no data is destroyed or rewritten)',
  );
  if (plan.runners?.backup === 'task') sink.out('the backup runs on the task runner');
  if (plan.runners?.rollback === 'task') sink.out('a rollback would run on the task runner');
  for (const finding of plan.findings) {
    const colour = finding.severity === 'error' ? 'red' : finding.severity === 'warning' ? 'yellow' : 'dim';
    const where = finding.file ? `${finding.file}:${finding.line ?? 1}:${finding.column ?? 1}  ` : '';
    const allowed = finding.allowedBecause ? ` (allowed: ${finding.allowedBecause})` : '';
    sink.out(
      `${where}${paint(sink, colour, finding.severity)}  ${finding.rule}  ${finding.message}${allowed}`,
    );
  }
}

export async function planCommand(
  options: LocalOptions & ExecutionInputFlags,
  sink: OutputSink,
): Promise<ExitCode> {
  const { raw } = executionInputFromFlags(options);
  const local = await openLocalEngine(options, undefined, { readOnly: true });
  try {
    const run = await validateRun(local.ctx, { ...raw, dryRun: true }, `plan-${Date.now()}`);
    if (options.json) sink.out(JSON.stringify(run.plan, null, 2));
    else renderPlan(run, sink);
    return ExitCode.ok;
  } finally {
    await local.close();
  }
}

export function register(program: Command): void {
  const command = program
    .command('plan')
    .description(
      'validate and show what a run would do — which migrations, tables, backups and lint findings; changes nothing',
    );
  addLocalOptions(addExecutionInputOptions(command)).action(
    async (options: LocalOptions & ExecutionInputFlags) => {
      process.exitCode = await planCommand(options, processSink());
    },
  );
}
