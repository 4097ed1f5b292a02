// The step dependencies of a local run: the target database over pg, the run lease in
// that database, and files under `<project>/.stepmigrate/` for backups, audit, metrics
// and alarms. The handlers are the same ones the Lambdas run.
import { readFile } from 'node:fs/promises';
import { LocalAlarmReader } from '../../lambdas/adapters/local-alarms.ts';
import { LocalApproval, type LocalApprovalMode } from '../../lambdas/adapters/local-approval.ts';
import { LocalAuditLog } from '../../lambdas/adapters/local-audit-log.ts';
import { LocalBackupStore } from '../../lambdas/adapters/local-backup-store.ts';
import { LocalMetrics } from '../../lambdas/adapters/local-metrics.ts';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { CancellableDatabase } from '../../lambdas/engine/cancellable-database.ts';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { loadMigrations } from '../../lambdas/engine/loader/load.ts';
import type { LayoutName } from '../../lambdas/engine/model.ts';
import { engineSteps } from '../../lambdas/handlers/engine-steps.ts';
import { redactSecrets } from '../../lambdas/handlers/middleware/redact.ts';
import type { EngineSteps, StepDependencies } from '../../lambdas/handlers/step-dependencies.ts';
import { localEngineContext } from '../local/project.ts';
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
  /** Alarm names Bake reads from `.stepmigrate/alarms.json`; default: every alarm in the file. */
  bakeAlarmNames?: readonly string[];
  /** Engine log lines (e.g. "rolling back 0005"); default: dropped. */
  log?(line: string): void;
  /** For tests that script the engine. @default the real engine */
  steps?: EngineSteps;
}

export interface LocalDependencies {
  deps: StepDependencies;
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
  // Cancellable, as on AWS: with a Lambda budget the deadline middleware cancels the step's
  // statements, and only a cancelled statement leaves nothing half-done to hand over.
  const pg = new PgDatabase(settings.databaseUrl);
  const db = new CancellableDatabase(pg);
  const sink = settings.log;
  const log = sink ? (line: string) => sink(redactSecrets(line)) : () => undefined;
  let engine: Promise<EngineContext> | undefined;
  const buildEngine = async (): Promise<EngineContext> => ({
    ...(await localEngineContext({
      db: pg,
      migrations: await loadMigrations(settings.migrationsDir, { layout: settings.layout ?? 'auto' }),
      projectDir: settings.projectDir,
      historySchema: settings.historySchema,
      log,
    })),
    db,
    runners: localRunnerLimits(settings),
  });
  const budgetMs = localLambdaBudgetMs(settings);
  const auditLog = LocalAuditLog.forProject(settings.projectDir);
  const metrics = LocalMetrics.forProject(settings.projectDir);
  const alarms = LocalAlarmReader.forProject(settings.projectDir);
  const deps: StepDependencies = {
    database: db.name,
    engine: () => {
      engine ??= buildEngine().catch((error: unknown) => {
        engine = undefined;
        throw error;
      });
      return engine;
    },
    steps: settings.steps ?? engineSteps,
    backupStore: LocalBackupStore.forProject(settings.projectDir),
    auditLog,
    metrics,
    alarms,
    bakeAlarmNames: settings.bakeAlarmNames ?? (await alarmNamesInFile(alarms)),
    approval: new LocalApproval({ mode: settings.approval }),
    log,
    ...(budgetMs === undefined ? {} : { deadlineMarginMs: deadlineMarginFor(budgetMs) }),
  };
  return { deps, auditLog, metrics, close: () => db.close() };
}
