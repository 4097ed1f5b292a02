// The step dependencies of a Lambda, built once per container from the environment the
// MigrationWorkflow construct sets (infra/migration-workflow.ts). Every step audits to
// DynamoDB and puts metrics to CloudWatch; the other ports are given by the step's entry
// file (lambdas/functions/), so a bundle holds only the SDK clients its step uses. A port
// the step was not given fails on first use with a message naming it.
import { dirname } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudWatchMetrics } from '../../adapters/cloudwatch-metrics.ts';
import { DynamoDbAuditLog } from '../../adapters/dynamodb-audit-log.ts';
import { DEFAULT_HISTORY_SCHEMA } from '../../engine/context.ts';
import { TIMEOUT_DEFAULTS } from '../../engine/input.ts';
import { DEFAULT_APPROVAL_TIMEOUT_MS, DEFAULT_LEASE_TTL_MS } from '../../engine/lease-timing.ts';
import type { MigrationSet } from '../../engine/model.ts';
import type { ProjectSettings } from '../../engine/project-settings.ts';
import type {
  AlarmReader,
  ApprovalNotifier,
  BackupStore,
  Database,
  HolderLiveness,
  Lease,
} from '../../ports.ts';
import { composeStepDependencies } from '../compose-step-dependencies.ts';
import { runnerLimitsFromEnv } from '../runner-limits.ts';
import type { EngineSteps, StepDependencies } from '../step-dependencies.ts';
import { type Env, listOf, notConfigured, positiveInteger, required } from './environment.ts';
import { onlySteps } from './only-steps.ts';
import { sdkClientConfig } from './sdk-client-config.ts';

/** The ports a step uses beyond audit and metrics, each built from the environment. */
export interface AwsPorts {
  database?(env: Env, name: string): Database;
  lease?(env: Env): Lease;
  /** Tells whether the execution holding a lease still runs (the steps that take the lease). */
  holders?(): HolderLiveness;
  backupStore?(env: Env): BackupStore;
  approval?(env: Env): ApprovalNotifier;
  /** Bake reads alarms with the CloudWatch client every step already has (alarms-port.ts). */
  alarms?(cloudwatch: CloudWatchClient): AlarmReader;
  /**
   * Loads the bundled migrations (engine/loader/load.ts), for the steps that read them. The
   * others never bundle the loader and the SQL parser it brings.
   */
  migrations?(directory: string): Promise<MigrationSet>;
  /**
   * Loads stepmigrate.json, for the steps that read migrations: all of it for Validate
   * (engine/project-settings.ts), the adopt section for the steps after it (engine/run-settings.ts).
   */
  settings?(projectDir: string): Promise<ProjectSettings>;
  /** The engine functions the step calls (engine-steps.ts). */
  steps?: Partial<EngineSteps>;
}

/** The migration set of a step that has no use for it: touching it is a wiring mistake. */
function migrationsNotLoaded(): MigrationSet {
  return new Proxy({} as MigrationSet, {
    get: (_target, property) => {
      if (property === 'then') return undefined;
      throw new Error(
        `this Lambda does not load the migrations (reading ${String(property)}): add migrations to its entry file`,
      );
    },
  });
}

export function awsDependencies(env: Env, ports: AwsPorts = {}): StepDependencies {
  const database = required(env, 'STEPMIGRATE_DATABASE');
  const dynamodb = new DynamoDBClient(sdkClientConfig());
  const cloudwatch = new CloudWatchClient(sdkClientConfig());
  const migrationsDir = required(env, 'STEPMIGRATE_MIGRATIONS_DIR');
  return composeStepDependencies({
    database,
    db: ports.database?.(env, database) ?? notConfigured<Database>(database, 'STEPMIGRATE_DB_SECRET_ARN'),
    lease: ports.lease?.(env) ?? notConfigured<Lease>('run lease', 'STEPMIGRATE_LEASE_TABLE'),
    ...(ports.holders ? { holders: ports.holders() } : {}),
    backupStore:
      ports.backupStore?.(env) ?? notConfigured<BackupStore>('backup bucket', 'STEPMIGRATE_BACKUP_BUCKET'),
    approval:
      ports.approval?.(env) ?? notConfigured<ApprovalNotifier>('approval topic', 'STEPMIGRATE_TOPIC_ARN'),
    alarms:
      ports.alarms?.(cloudwatch) ?? notConfigured<AlarmReader>('bake alarms', 'STEPMIGRATE_BAKE_ALARMS'),
    auditLog: new DynamoDbAuditLog({ client: dynamodb, tableName: required(env, 'STEPMIGRATE_AUDIT_TABLE') }),
    metrics: new CloudWatchMetrics({
      client: cloudwatch,
      namespace: env.STEPMIGRATE_METRICS_NAMESPACE || undefined,
    }),
    loadMigrations: async () => (ports.migrations ? ports.migrations(migrationsDir) : migrationsNotLoaded()),
    // stepmigrate.json is bundled beside the migrations; only steps that read migrations lint.
    loadSettings: ports.settings ? () => ports.settings!(dirname(migrationsDir)) : undefined,
    historySchema: env.STEPMIGRATE_HISTORY_SCHEMA || DEFAULT_HISTORY_SCHEMA,
    defaults: {
      lockTimeoutMs: positiveInteger(env, 'STEPMIGRATE_LOCK_TIMEOUT_MS', TIMEOUT_DEFAULTS.lockTimeoutMs),
      statementTimeoutMs: positiveInteger(
        env,
        'STEPMIGRATE_STATEMENT_TIMEOUT_MS',
        TIMEOUT_DEFAULTS.statementTimeoutMs,
      ),
    },
    leaseTiming: {
      leaseTtlMs: positiveInteger(env, 'STEPMIGRATE_LEASE_TTL_MS', DEFAULT_LEASE_TTL_MS),
      approvalTimeoutMs: positiveInteger(env, 'STEPMIGRATE_APPROVAL_TIMEOUT_MS', DEFAULT_APPROVAL_TIMEOUT_MS),
    },
    runners: runnerLimitsFromEnv(env),
    actor: env.AWS_LAMBDA_FUNCTION_NAME ?? 'stepmigrate',
    bakeAlarmNames: listOf(env, 'STEPMIGRATE_BAKE_ALARMS'),
    steps: onlySteps(ports.steps ?? {}),
    // Engine lines go straight to CloudWatch Logs; the composition scrubs them first.
    log: (line) => console.log(line),
  });
}
