// The step dependencies of a Lambda, built once per container from the environment the
// MigrationWorkflow construct sets (infra/migration-workflow.ts). A step only gets the
// variables of what it may touch; using anything else fails with a message naming it.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { CloudWatchAlarms } from '../adapters/cloudwatch-alarms.ts';
import { CloudWatchMetrics } from '../adapters/cloudwatch-metrics.ts';
import { DynamoDbAuditLog } from '../adapters/dynamodb-audit-log.ts';
import { DynamoDbLease } from '../adapters/dynamodb-lease.ts';
import { S3BackupStore } from '../adapters/s3-backup-store.ts';
import { SecretsManagerDatabase } from '../adapters/secrets-manager-database.ts';
import { SnsApprovalNotifier } from '../adapters/sns-approval-notifier.ts';
import { CancellableDatabase } from '../engine/cancellable-database.ts';
import { DEFAULT_HISTORY_SCHEMA, type EngineContext } from '../engine/context.ts';
import { TIMEOUT_DEFAULTS } from '../engine/input.ts';
import { loadMigrations } from '../engine/loader/load.ts';
import type { Database } from '../ports.ts';
import { engineSteps } from './engine-steps.ts';
import { redactSecrets } from './middleware/redact.ts';
import { runnerLimitsFromEnv } from './runner-limits.ts';
import type { StepDependencies } from './step-dependencies.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** A port this step was not configured for: the first use says which variable is missing. */
function notConfigured<T extends object>(what: string, variable: string): T {
  return new Proxy({} as T, {
    get: (_target, property) => {
      if (property === 'then') return undefined;
      if (property === 'name') return what;
      return () => {
        throw new Error(`this step has no ${what}: ${variable} is not set on its Lambda function`);
      };
    },
  });
}

function numberFrom(env: Env, variable: string, fallback: number): number {
  const value = env[variable];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new Error(`${variable} must be a positive whole number, got "${value}"`);
  return parsed;
}

function required(env: Env, variable: string): string {
  const value = env[variable];
  if (!value) throw new Error(`${variable} is not set on this Lambda function`);
  return value;
}

export function awsDependencies(env: Env): StepDependencies {
  const database = required(env, 'STEPMIGRATE_DATABASE');
  const historySchema = env.STEPMIGRATE_HISTORY_SCHEMA || DEFAULT_HISTORY_SCHEMA;
  const dynamodb = new DynamoDBClient({});
  const cloudwatch = new CloudWatchClient({});
  // Cancellable, so a step near its Lambda timeout can stop its statements and fail cleanly.
  const db: Database = env.STEPMIGRATE_DB_SECRET_ARN
    ? new CancellableDatabase(
        new SecretsManagerDatabase({
          client: new SecretsManagerClient({}),
          secretArn: env.STEPMIGRATE_DB_SECRET_ARN,
          name: database,
        }),
      )
    : notConfigured<Database>(database, 'STEPMIGRATE_DB_SECRET_ARN');
  // Engine lines go straight to CloudWatch Logs: scrub them like the middleware's own.
  const log = (line: string) => console.log(redactSecrets(line));

  let engine: Promise<EngineContext> | undefined;
  const buildEngine = async (): Promise<EngineContext> => ({
    db,
    migrations: await loadMigrations(required(env, 'STEPMIGRATE_MIGRATIONS_DIR')),
    historySchema,
    defaults: {
      lockTimeoutMs: numberFrom(env, 'STEPMIGRATE_LOCK_TIMEOUT_MS', TIMEOUT_DEFAULTS.lockTimeoutMs),
      statementTimeoutMs: numberFrom(
        env,
        'STEPMIGRATE_STATEMENT_TIMEOUT_MS',
        TIMEOUT_DEFAULTS.statementTimeoutMs,
      ),
    },
    actor: env.AWS_LAMBDA_FUNCTION_NAME ?? 'stepmigrate',
    lease: env.STEPMIGRATE_LEASE_TABLE
      ? new DynamoDbLease({ client: dynamodb, tableName: env.STEPMIGRATE_LEASE_TABLE })
      : notConfigured('run lease', 'STEPMIGRATE_LEASE_TABLE'),
    log,
    runners: runnerLimitsFromEnv(env),
  });

  return {
    database,
    engine: () => {
      engine ??= buildEngine().catch((error: unknown) => {
        engine = undefined;
        throw error;
      });
      return engine;
    },
    steps: engineSteps,
    backupStore: env.STEPMIGRATE_BACKUP_BUCKET
      ? new S3BackupStore({
          client: new S3Client({}),
          bucket: env.STEPMIGRATE_BACKUP_BUCKET,
          prefix: env.STEPMIGRATE_BACKUP_PREFIX,
        })
      : notConfigured('backup bucket', 'STEPMIGRATE_BACKUP_BUCKET'),
    auditLog: new DynamoDbAuditLog({ client: dynamodb, tableName: required(env, 'STEPMIGRATE_AUDIT_TABLE') }),
    metrics: new CloudWatchMetrics({
      client: cloudwatch,
      namespace: env.STEPMIGRATE_METRICS_NAMESPACE || undefined,
    }),
    alarms: new CloudWatchAlarms({ client: cloudwatch }),
    bakeAlarmNames: (env.STEPMIGRATE_BAKE_ALARMS ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    approval: env.STEPMIGRATE_TOPIC_ARN
      ? new SnsApprovalNotifier({ client: new SNSClient({}), topicArn: env.STEPMIGRATE_TOPIC_ARN })
      : notConfigured('approval topic', 'STEPMIGRATE_TOPIC_ARN'),
    log,
  };
}
