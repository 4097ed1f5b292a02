// The one place where step dependencies are put together. The Lambdas (aws/aws-dependencies.ts)
// and the local runner (cli/local-runner/local-dependencies.ts) only choose adapters and
// settings; how those become an engine context and the handlers' dependencies is decided
// here, once, so the two runners cannot drift apart.
import type { EngineContext } from '../engine/context.ts';
import type { MigrationSet } from '../engine/model.ts';
import type { ProjectSettings } from '../engine/project-settings.ts';
import type { RunnerLimits } from '../engine/runner-choice.ts';
import type {
  AlarmReader,
  ApprovalNotifier,
  AuditLog,
  BackupStore,
  Database,
  HolderLiveness,
  Lease,
  Metrics,
} from '../ports.ts';
import { redactSecrets } from './middleware/redact.ts';
import type { EngineSteps, StepDependencies } from './step-dependencies.ts';

export interface StepComposition {
  /** Display name of the target database until Validate has named it. */
  database: string;
  db: Database;
  lease: Lease;
  /** Tells whether a lease's holder still runs, so a dead holder's lease is reclaimed at once. */
  holders?: HolderLiveness;
  backupStore: BackupStore;
  auditLog: AuditLog;
  metrics: Metrics;
  alarms: AlarmReader;
  approval: ApprovalNotifier;
  /** Loads the migration set; called once, on the first step that needs the engine. */
  loadMigrations(): Promise<MigrationSet>;
  /**
   * The project's settings (stepmigrate.json), for the steps that read them; a Lambda package
   * carries the file beside its migrations.
   */
  loadSettings?(): Promise<ProjectSettings>;
  /** What the Lambda and task runners can do; Validate plans with it (engine/runner-choice.ts). */
  runners?: RunnerLimits;
  /** How long before a step's deadline its statements are cancelled; the middleware's default when omitted. */
  deadlineMarginMs?: number;
  /** How long the run lease lasts; the engine's defaults when omitted. */
  leaseTiming?: EngineContext['leaseTiming'];
  historySchema: string;
  defaults: EngineContext['defaults'];
  /** Recorded as `applied_by`. */
  actor: string;
  bakeAlarmNames: readonly string[];
  /** Where operational lines go, after credentials have been scrubbed from them. */
  log?(line: string): void;
  /** The engine functions the steps call: all of them locally, a step's own in its Lambda. */
  steps: EngineSteps;
  now?(): Date;
}

export function composeStepDependencies(parts: StepComposition): StepDependencies {
  const sink = parts.log;
  const log = sink ? (line: string) => sink(redactSecrets(line)) : () => undefined;
  const buildEngine = async (): Promise<EngineContext> => ({
    db: parts.db,
    migrations: await parts.loadMigrations(),
    historySchema: parts.historySchema,
    defaults: { ...parts.defaults },
    actor: parts.actor,
    lease: parts.lease,
    ...(parts.holders ? { holders: parts.holders } : {}),
    leaseTiming: { ...parts.leaseTiming },
    ...(parts.runners ? { runners: parts.runners } : {}),
    ...(await parts.loadSettings?.()),
    log,
  });
  let engine: Promise<EngineContext> | undefined;
  return {
    database: parts.database,
    engine: () => {
      // A failed build (a bad file, an unreadable secret) is tried again by the next step.
      engine ??= buildEngine().catch((error: unknown) => {
        engine = undefined;
        throw error;
      });
      return engine;
    },
    steps: parts.steps,
    backupStore: parts.backupStore,
    auditLog: parts.auditLog,
    metrics: parts.metrics,
    alarms: parts.alarms,
    bakeAlarmNames: parts.bakeAlarmNames,
    approval: parts.approval,
    log,
    ...(parts.now ? { now: parts.now } : {}),
    ...(parts.deadlineMarginMs === undefined ? {} : { deadlineMarginMs: parts.deadlineMarginMs }),
  };
}
