// Building the plan Validate returns: files checked before any connection, then the
// history read, the steps chosen, each pending migration analysed and linted, and the
// schema fingerprint taken so Rollback can prove it got back to it.

import { readRunHistory } from './adopt/import-history.ts';
import type { EngineContext } from './context.ts';
import { LintError } from './errors.ts';
import { lintMigrations } from './lint/index.ts';
import { applyLiveSeverity } from './lint/live-severity.ts';
import type { Direction, Finding, Migration, Plan, StepRisk } from './model.ts';
import { planSteps } from './plan.ts';
import { preflight, tableBytes } from './preflight.ts';
import type { ExecutionInput } from './run-state.ts';
import { chooseRunners, LAMBDA_ONLY_LIMITS, refuseUnfinishable } from './runner-choice.ts';
import { heavyBytesByStep } from './runner-estimate.ts';
import { runSchemaState } from './schema-state.ts';
import { type LockMode, strongerLock } from './sql/change.ts';
import { analyzeMigration, type ClassifiedStatement } from './sql/classify.ts';
import { loadSqlParser } from './sql/parse.ts';
import { appliedVersions, assertConsistent, computeStatus } from './status.ts';

export interface PreparedPlan {
  plan: Plan;
  fingerprint: string;
}

/** Parses every section of every migration, so a syntax error stops the run before it connects. */
export async function checkSyntax(migrations: readonly Migration[]): Promise<void> {
  await loadSqlParser();
  for (const migration of migrations) analyzeMigration(migration);
}

export async function buildPlan(ctx: EngineContext, input: ExecutionInput): Promise<PreparedPlan> {
  await checkSyntax(ctx.migrations.migrations);
  return ctx.db.withConnection(async (conn) => {
    const { entries: history } = await readRunHistory(conn, ctx);
    const status = computeStatus(ctx.migrations, history);
    assertConsistent(status, ctx.historySchema);
    const steps = planSteps(ctx.migrations, status, input.target);
    const byVersion = new Map(ctx.migrations.migrations.map((m) => [m.version, m]));
    const pending = steps.steps.map((step) => byVersion.get(step.version)!);
    const applied = appliedVersions(status);
    const analysis = analyzePending(pending, steps.direction);
    const linted: Finding[] =
      steps.direction === 'up'
        ? lintMigrations(pending, {
            allowIrreversible: input.allowIrreversible,
            config: ctx.lintConfig,
            // What is already applied counts as context: a CHECK validated earlier covers SET NOT NULL.
            earlier: ctx.migrations.migrations.filter((m) => applied.has(m.version)),
          })
        : [];
    // What only the live database can tell: is the table big, empty, or not there yet?
    const findings = await applyLiveSeverity(conn, pending, linted, ctx.liveLint);
    refuseLintErrors(findings);
    findings.push(
      ...(await preflight(conn, {
        affectedTables: analysis.affectedTables,
        heavyTables: analysis.heavyTables,
        schemas: [...new Set(analysis.affectedTables.map(schemaOf))],
      })),
    );
    const { fingerprint } = await runSchemaState(conn, ctx);
    const backupEstimateBytes = await tableBytes(conn, analysis.backupTables);
    // Where each piece of work runs; a run no configured runner can finish is refused here.
    const limits = ctx.runners ?? LAMBDA_ONLY_LIMITS;
    const choice = chooseRunners(
      { ...steps, backupEstimateBytes },
      pending,
      await heavyBytesByStep(conn, analysis.risks),
      limits,
    );
    refuseUnfinishable(choice, limits);
    return {
      plan: {
        ...steps,
        steps: choice.steps,
        affectedTables: analysis.affectedTables,
        backupTables: analysis.backupTables,
        backupEstimateBytes,
        risks: analysis.risks,
        findings,
        runners: choice.runners,
      },
      fingerprint,
    };
  });
}

interface PendingAnalysis {
  affectedTables: string[];
  backupTables: string[];
  /** Tables rewritten or scanned in full by a statement: their size is the risk. */
  heavyTables: string[];
  risks: StepRisk[];
}

/**
 * Up runs take the analyser's view of each up section. Down runs run down sections, which
 * destroy data just as readily (a down that drops a table drops its rows): their tables are
 * backed up too.
 */
function analyzePending(pending: readonly Migration[], direction: Direction): PendingAnalysis {
  const affected = new Set<string>();
  const backup = new Set<string>();
  const heavy = new Set<string>();
  const createdByRun = new Set<string>();
  const risks: StepRisk[] = [];
  for (const migration of pending) {
    const analysis = analyzeMigration(migration);
    const statements = analysis.statements[direction];
    risks.push(stepRisk(migration, direction, statements));
    if (direction === 'up') {
      for (const table of analysis.affectedTables) affected.add(table);
      // A table an earlier pending migration creates is empty at backup time: nothing to copy.
      for (const table of analysis.backupTables) if (!createdByRun.has(table)) backup.add(table);
      for (const statement of statements) {
        for (const change of statement.changes) {
          if (change.kind === 'create_table' && change.object) createdByRun.add(change.object);
        }
      }
    }
    for (const statement of statements) {
      if (direction === 'down') {
        for (const lock of statement.locks) affected.add(lock.table);
        for (const table of statement.destroys) backup.add(table);
      }
      for (const table of [...statement.rewrites, ...statement.scans]) heavy.add(table);
    }
  }
  const sorted = (set: Set<string>) => [...set].sort();
  return {
    affectedTables: sorted(affected),
    backupTables: sorted(backup),
    heavyTables: sorted(heavy),
    risks,
  };
}

function stepRisk(
  migration: Migration,
  direction: Direction,
  statements: readonly ClassifiedStatement[],
): StepRisk {
  const strongest = new Map<string, LockMode>();
  for (const { table, mode } of statements.flatMap((statement) => statement.locks)) {
    const held = strongest.get(table);
    strongest.set(table, held ? strongerLock(held, mode) : mode);
  }
  const tables = (pick: (statement: ClassifiedStatement) => string[]) =>
    [...new Set(statements.flatMap(pick))].sort();
  const section = direction === 'up' ? migration.up : migration.down;
  return {
    version: migration.version,
    locks: [...strongest]
      .map(([table, mode]) => ({ table, mode }))
      .sort((a, b) => (a.table < b.table ? -1 : 1)),
    rewrites: tables((statement) => statement.rewrites),
    scans: tables((statement) => statement.scans),
    destroys: tables((statement) => statement.destroys),
    outsideTransaction: section !== null && !section.transaction,
  };
}

/** Throws one LintError listing every error-level finding, pointing at the first. */
export function refuseLintErrors(findings: readonly Finding[]): void {
  const errors = findings.filter((finding) => finding.severity === 'error');
  if (errors.length === 0) return;
  const first = errors[0]!;
  throw new LintError(
    `${errors.length} lint error${errors.length > 1 ? 's' : ''} in pending migrations: ` +
      errors.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}: ${f.message}`).join('; '),
    { migration: first.migration, file: first.file, line: first.line, column: first.column, findings },
  );
}

function schemaOf(table: string): string {
  return table.slice(0, table.indexOf('.'));
}
