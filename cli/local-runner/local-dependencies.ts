// The step dependencies of a local run: the target database over pg, the run lease in
// that database, and files under `<project>/.stepmigrate/` for backups, audit, metrics
// and alarms. They are composed by the same function as the Lambdas' (only the adapters
// differ), and the handlers are the same ones the Lambdas run.
import { readFile } from 'node:fs/promises';
import { LocalAlarmReader } from '../../lambdas/adapters/local-alarms.ts';
import { LocalApproval, type LocalApprovalMode } from '../../lambdas/adapters/local-approval.ts';
import { LocalAuditLog } from '../../lambdas/adapters/local-audit-log.ts';
import { LocalBackupStore } from '../../lambdas/adapters/local-backup-store.ts';
import { LocalMetrics } from '../../lambdas/adapters/local-metrics.ts';
import { pgCopyStreams } from '../../lambdas/adapters/pg-copy-streams.ts';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { CancellableDatabase } from '../../lambdas/engine/cancellable-database.ts';
import { loadMigrations } from '../../lambdas/engine/loader/load.ts';
import type { LayoutName } from '../../lambdas/engine/model.ts';
import { composeStepDependencies } from '../../lambdas/handlers/compose-step-dependencies.ts';
import { engineSteps } from '../../lambdas/handlers/engine-steps.ts';
import type { EngineSteps, StepDependencies } from '../../lambdas/handlers/step-dependencies.ts';
import { localEngineParts } from '../local/project.ts';
import {
  deadlineMarginFor,
  type LocalRunnerSettings,
  localLambdaBudgetMs,
  localRunnerLimits,
} from './local-runners.ts';

export interface LocalRunSettings extends LocalRunnerSettings {
  projectDir: string;
  migrationsDir: string;
  layout?: LayoutName | 'auto';
  /** Connection URL of the target database (never printed as is). */
  databaseUrl: string;
  approval: LocalApprovalMode;
  historySchema?: string;
  /** Keep the other tool's history table up to date too (`--keep-tool-history`). */
  keepToolHistory?: boolean;
  /** Alarm names Bake reads from `.stepmigrate/alarms.json`; default: every alarm in the file. */
  bakeAlarmNames?: readonly string[];
  /** Engine log lines (e.g. "rolling back 0005"); default: dropped. */
  log?(line: string): void;
  /** For tests that script the engine. @default the real engine */
  steps?: EngineSteps;
}

export interface LocalDependencies {
  deps: StepDependencies;
  /** Cancels the statements the steps are running now (pg_cancel_backend from another connection). */
  cancelRunning(): Promise<number[]>;
  auditLog: LocalAuditLog;
  metrics: LocalMetrics;
  close(): Promise<void>;
}

/** Every alarm name in the local alarms file, so `{ "X": "ALARM" }` is watched without configuration. */
async function alarmNamesInFile(reader: LocalAlarmReader): Promise<string[]> {
  try {
    return Object.keys(JSON.parse(await readFile(reader.file, 'utf8')) as Record<string, unknown>);
  } catch {
    return [];
  }
}

export async function localDependencies(settings: LocalRunSettings): Promise<LocalDependencies> {
  // Cancellable: a signal stops the running statement instead of waiting for it, and, as on
  // AWS, with a Lambda budget the deadline middleware cancels the step's statements, so only
  // a cancelled statement is handed over to the task runner.
  const db = new CancellableDatabase(new PgDatabase(settings.databaseUrl, {}, { copy: pgCopyStreams }));
  const budgetMs = localLambdaBudgetMs(settings);
  const auditLog = LocalAuditLog.forProject(settings.projectDir);
  const metrics = LocalMetrics.forProject(settings.projectDir);
  const alarms = LocalAlarmReader.forProject(settings.projectDir);
  const deps = composeStepDependencies({
    ...localEngineParts({
      db,
      projectDir: settings.projectDir,
      historySchema: settings.historySchema,
      keepToolHistory: settings.keepToolHistory,
    }),
    database: db.name,
    db,
    loadMigrations: () => loadMigrations(settings.migrationsDir, { layout: settings.layout ?? 'auto' }),
    backupStore: LocalBackupStore.forProject(settings.projectDir),
    auditLog,
    metrics,
    alarms,
    bakeAlarmNames: settings.bakeAlarmNames ?? (await alarmNamesInFile(alarms)),
    approval: new LocalApproval({ mode: settings.approval }),
    log: settings.log,
    steps: settings.steps ?? engineSteps,
    runners: localRunnerLimits(settings),
    ...(budgetMs === undefined ? {} : { deadlineMarginMs: deadlineMarginFor(budgetMs) }),
  });
  return { deps, auditLog, metrics, cancelRunning: () => db.cancelRunning(), close: () => db.close() };
}
