// Runs the synthesized workflow definition in-process (the local runner's own executor and
// handlers), with any port swapped for a faulty one, and reads back what the run left in
// the database, the audit log and the metrics.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from '@jest/globals';
import { type LoadedWorkflow, loadWorkflow } from '../../cli/local-runner/definition-cache.ts';
import { executeLocally, type LocalExecutionResult } from '../../cli/local-runner/execute.ts';
import { localDependencies } from '../../cli/local-runner/local-dependencies.ts';
import { newExecutionId } from '../../cli/local-runner/run-workflow.ts';
import type { LocalMetrics } from '../../lambdas/adapters/local-metrics.ts';
import { PostgresLease } from '../../lambdas/adapters/postgres-lease.ts';
import type { ExitCode } from '../../lambdas/engine/errors.ts';
import { exitCodeForRun } from '../../lambdas/engine/errors.ts';
import { type HistoryEntry, readHistory } from '../../lambdas/engine/history.ts';
import type { LayoutName } from '../../lambdas/engine/model.ts';
import { schemaState } from '../../lambdas/engine/schema-state.ts';
import { createHandlers } from '../../lambdas/handlers/create-handlers.ts';
import type { StepDependencies } from '../../lambdas/handlers/step-dependencies.ts';
import type { AuditLog, AuditRecord, BackupStore, Database, MetricDatum } from '../../lambdas/ports.ts';

let workflow: Promise<LoadedWorkflow> | undefined;

/** The definition, synthesized once per test file (and cached on disk between files). */
export function testWorkflow(migrationsDir: string): Promise<LoadedWorkflow> {
  workflow ??= loadWorkflow({ migrationsDir, cacheDir: join(tmpdir(), 'stepmigrate-test-workflow-cache') });
  return workflow;
}

export interface PortOverrides {
  db?: (db: Database) => Database;
  backupStore?: (store: BackupStore) => BackupStore;
  auditLog?: (log: AuditLog) => AuditLog;
}

export interface WorkflowRun extends LocalExecutionResult {
  executionId: string;
  /** Where the run kept its local backups, audit log and metrics. */
  projectDir: string;
  exitCode: ExitCode;
  audit: AuditRecord[];
  metrics: MetricDatum[];
  log: string[];
}

const temporaryDirs: string[] = [];
// Every test file that runs workflows here removes the project directories it made.
afterAll(async () => {
  await Promise.all(temporaryDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function temporaryProjectDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stepmigrate-project-'));
  temporaryDirs.push(dir);
  return dir;
}

export async function runWorkflow(options: {
  databaseUrl: string;
  migrationsDir: string;
  projectDir?: string;
  input?: Record<string, unknown>;
  ports?: PortOverrides;
  /** `--layout`; detected when absent. */
  layout?: LayoutName;
}): Promise<WorkflowRun> {
  const projectDir = options.projectDir ?? (await temporaryProjectDir());
  await mkdir(projectDir, { recursive: true });
  const log: string[] = [];
  const local = await localDependencies({
    projectDir,
    migrationsDir: options.migrationsDir,
    databaseUrl: options.databaseUrl,
    ...(options.layout ? { layout: options.layout } : {}),
    approval: 'refuse',
    log: (line) => log.push(line),
  });
  const ports = options.ports ?? {};
  const engine = local.deps.engine;
  let faultyEngine: ReturnType<StepDependencies['engine']> | undefined;
  const deps: StepDependencies = {
    ...local.deps,
    engine: () => {
      faultyEngine ??= engine().then((ctx) => {
        if (!ports.db) return ctx;
        // The local lease lives in the target database: it shares the faulty connections.
        const db = ports.db(ctx.db);
        return { ...ctx, db, lease: new PostgresLease(db, ctx.historySchema) };
      });
      return faultyEngine;
    },
    backupStore: ports.backupStore ? ports.backupStore(local.deps.backupStore) : local.deps.backupStore,
    auditLog: ports.auditLog ? ports.auditLog(local.deps.auditLog) : local.deps.auditLog,
  };
  const executionId = newExecutionId();
  try {
    const result = await executeLocally({
      workflow: await testWorkflow(options.migrationsDir),
      handlers: createHandlers(deps),
      input: options.input ?? {},
      executionId,
      retryPauseMs: 50,
    });
    return {
      ...result,
      executionId,
      projectDir,
      exitCode: exitCodeForRun(result.output),
      audit: (await local.auditLog.list({ executionId })).reverse(),
      metrics: await (local.metrics as LocalMetrics).readAll(),
      log,
    };
  } finally {
    await local.close();
  }
}

export interface DatabaseSnapshot {
  fingerprint: string;
  /** md5 of every row of each table named, in primary-key order. */
  data: Record<string, string | null>;
  history: HistoryEntry[];
  leases: { key: string; owner: string }[];
}

export async function snapshot(db: Database, tables: readonly string[]): Promise<DatabaseSnapshot> {
  return db.withConnection(async (conn) => {
    const data: Record<string, string | null> = {};
    for (const table of tables) {
      const { rows } = await conn.query<{ digest: string | null }>(
        `SELECT md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS digest FROM ${table} t`,
      );
      data[table] = rows[0]?.digest ?? null;
    }
    const leaseTable = await conn.query<{ exists: boolean }>(
      "SELECT to_regclass('stepmigrate.lease') IS NOT NULL AS exists",
    );
    const leases = leaseTable.rows[0]?.exists
      ? (await conn.query<{ key: string; owner: string }>('SELECT key, owner FROM stepmigrate.lease')).rows
      : [];
    return {
      fingerprint: (await schemaState(conn, 'stepmigrate')).fingerprint,
      data,
      history: await readHistory(conn, 'stepmigrate'),
      leases,
    };
  });
}
