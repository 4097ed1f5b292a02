// Building the plan Validate returns: files checked before any connection, then the
// history read, the steps chosen, each pending migration analysed and linted, and the
// schema fingerprint taken so Rollback can prove it got back to it.
import type { EngineContext } from './context.ts';
import { LintError } from './errors.ts';
import { readHistory } from './history.ts';
import { lintMigrations } from './lint/index.ts';
import type { Finding, Migration, Plan } from './model.ts';
import { planSteps } from './plan.ts';
import type { ExecutionInput } from './run-state.ts';
import { schemaState } from './schema-state.ts';
import { analyzeMigration } from './sql/classify.ts';
import { loadSqlParser } from './sql/parse.ts';
import { assertConsistent, computeStatus } from './status.ts';

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
    const history = await readHistory(conn, ctx.historySchema);
    const status = computeStatus(ctx.migrations, history);
    assertConsistent(status, ctx.historySchema);
    const steps = planSteps(ctx.migrations, status, input.target);
    const pending = steps.steps.map(
      (step) => ctx.migrations.migrations.find((m) => m.version === step.version)!,
    );
    const affected = new Set<string>();
    const backup = new Set<string>();
    if (steps.direction === 'up') {
      for (const migration of pending) {
        const analysis = analyzeMigration(migration);
        for (const table of analysis.affectedTables) affected.add(table);
        for (const table of analysis.backupTables) backup.add(table);
      }
    }
    const findings: Finding[] =
      steps.direction === 'up' ? lintMigrations(pending, { allowIrreversible: input.allowIrreversible }) : [];
    const errors = findings.filter((finding) => finding.severity === 'error');
    if (errors.length > 0) {
      const first = errors[0]!;
      throw new LintError(
        `${errors.length} lint error${errors.length > 1 ? 's' : ''} in pending migrations: ` +
          errors.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}: ${f.message}`).join('; '),
        { migration: first.migration, file: first.file, line: first.line, column: first.column },
      );
    }
    const { fingerprint } = await schemaState(conn, ctx.historySchema);
    return {
      plan: {
        ...steps,
        affectedTables: [...affected].sort(),
        backupTables: [...backup].sort(),
        findings,
      },
      fingerprint,
    };
  });
}
