// One local execution of the workflow: load (or synthesize) the definition, bind the step
// handlers to local dependencies, execute, and say how it ended.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type ExitCode, exitCodeForRun } from '../../lambdas/engine/errors.ts';
import { loadSqlParser } from '../../lambdas/engine/sql/parse.ts';
import { createHandlers } from '../../lambdas/handlers/create-handlers.ts';
import { loadWorkflow } from './definition-cache.ts';
import { type ExecutionEvent, executeLocally, type LocalExecutionResult } from './execute.ts';
import { type LocalRunSettings, localDependencies } from './local-dependencies.ts';
import { localLambdaBudgetMs } from './local-runners.ts';
import { LOCAL_RDS_ENDPOINT_ENV } from './sdk-task-handlers.ts';
import { localTaskSettings } from './task-runner.ts';
import type { LocalWorkflowOptions } from './workflow-stack.ts';

export interface LocalRun extends LocalRunSettings {
  input: Record<string, unknown>;
  onEvent?(event: ExecutionEvent): void;
  /** Called once the definition is loaded, before the execution starts. */
  onStart?(info: { executionId: string; fromCache: boolean; synthMs: number }): void;
  /** Synthesize even when a cached definition exists. */
  noCache?: boolean;
  /** Where cached definitions live. @default `<projectDir>/.stepmigrate/cache` */
  cacheDir?: string;
  retryPauseMs?: number;
  /**
   * Abort to stop the run: the running statement is cancelled, the step fails, and the
   * workflow rolls back and reports as on any failure.
   */
  interrupt?: AbortSignal;
  /** Receives the function that cancels the running statements, for a second interrupt. */
  onCancellable?(cancelRunning: () => Promise<number[]>): void;
  /** Take a database snapshot before Backup, as a deployment with `databaseSnapshot` does. */
  databaseSnapshot?: LocalWorkflowOptions['databaseSnapshot'];
  /** The RDS API the snapshot states call (a stand-in). @default $STEPMIGRATE_RDS_ENDPOINT */
  rdsEndpoint?: string;
  /** Pause between two snapshot polls. @default 1000 */
  snapshotPollMs?: number;
}

export interface LocalRunResult extends LocalExecutionResult {
  executionId: string;
  exitCode: ExitCode;
  synthMs: number;
  fromCache: boolean;
  durationMs: number;
}

export function newExecutionId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `local-${stamp}-${randomBytes(3).toString('hex')}`;
}

export async function runWorkflowLocally(run: LocalRun): Promise<LocalRunResult> {
  const started = performance.now();
  // Validate always parses: its WebAssembly compiles while the definition and the adapters
  // load, as a Lambda's warm-up does (lambdaEntry). A failure is left for Validate to report.
  loadSqlParser().catch(() => undefined);
  const workflow = await loadWorkflow({
    migrationsDir: run.migrationsDir,
    workflow: run.databaseSnapshot ? { databaseSnapshot: run.databaseSnapshot } : {},
    cacheDir: run.noCache ? undefined : (run.cacheDir ?? join(run.projectDir, '.stepmigrate', 'cache')),
  });
  const local = await localDependencies(run);
  const cancelOnInterrupt = () => {
    local
      .cancelRunning()
      .catch((error: unknown) => run.log?.(`could not cancel the running statement: ${error}`));
  };
  run.interrupt?.addEventListener('abort', cancelOnInterrupt, { once: true });
  run.onCancellable?.(local.cancelRunning);
  const executionId = newExecutionId();
  run.onStart?.({ executionId, fromCache: workflow.fromCache, synthMs: workflow.synthMs });
  try {
    const result = await executeLocally({
      workflow,
      handlers: createHandlers(local.deps),
      input: run.input,
      executionId,
      onEvent: run.onEvent,
      retryPauseMs: run.retryPauseMs,
      interrupt: run.interrupt,
      taskRunner: { settings: localTaskSettings(run), log: run.log },
      lambdaBudgetMs: localLambdaBudgetMs(run),
      rdsEndpoint: run.rdsEndpoint ?? process.env[LOCAL_RDS_ENDPOINT_ENV],
      snapshotPollMs: run.snapshotPollMs,
    });
    return {
      ...result,
      executionId,
      exitCode: exitCodeForRun(result.output),
      synthMs: workflow.synthMs,
      fromCache: workflow.fromCache,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    run.interrupt?.removeEventListener('abort', cancelOnInterrupt);
    await local.close();
  }
}
