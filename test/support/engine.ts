// Builds an EngineContext over a test database and a migration directory written by the
// test, so engine tests read like a user's project.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresLease } from '../../lambdas/adapters/postgres-lease.ts';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { type LoadOptions, loadMigrations } from '../../lambdas/engine/loader/load.ts';
import { applyPlanStep, releaseRun, validateRun, verifyRun } from '../../lambdas/engine/steps.ts';
import type { Database } from '../../lambdas/ports.ts';

export interface MigrationDirectory {
  path: string;
  write(files: Record<string, string>): Promise<void>;
  remove(): Promise<void>;
}

export async function migrationDirectory(files: Record<string, string> = {}): Promise<MigrationDirectory> {
  const path = await mkdtemp(join(tmpdir(), 'stepmigrate-migrations-'));
  const write = async (more: Record<string, string>) => {
    for (const [name, text] of Object.entries(more)) await writeFile(join(path, name), text);
  };
  await write(files);
  return { path, write, remove: () => rm(path, { recursive: true, force: true }) };
}

export async function engineContext(
  db: Database,
  directory: string,
  options: LoadOptions = {},
): Promise<EngineContext> {
  return {
    db,
    migrations: await loadMigrations(directory, options),
    historySchema: 'stepmigrate',
    defaults: { lockTimeoutMs: 2000, statementTimeoutMs: 60_000 },
    actor: 'test',
    lease: new PostgresLease(db, 'stepmigrate'),
  };
}

/**
 * Validate, each Apply, then Verify (of a run up that is not a dry run), as the workflow does,
 * giving the lease back; throws the first failure. Resolves with the steps, e.g. "up 0002".
 */
export async function runSteps(
  ctx: EngineContext,
  input: Record<string, unknown>,
  executionId: string,
): Promise<string[]> {
  const state = await validateRun(ctx, input, executionId);
  try {
    for (const step of state.plan.steps) await applyPlanStep(ctx, state, step);
    if (state.plan.direction === 'up' && !state.input.dryRun) await verifyRun(ctx, state);
  } finally {
    if (state.status === 'pending') await releaseRun(ctx, state);
  }
  return state.plan.steps.map((step) => `${step.direction} ${step.version}`);
}

export interface MigrationText {
  up: string;
  down: string;
  verify?: string;
  /** Options on the marker line, e.g. "transaction:false". */
  upOptions?: string;
  downOptions?: string;
}

/** A native migration file's text. */
export function migration(text: MigrationText): string {
  const marker = (name: string, options?: string) => `-- migrate:${name}${options ? ` ${options}` : ''}`;
  return [
    marker('up', text.upOptions),
    text.up,
    '',
    marker('down', text.downOptions),
    text.down,
    ...(text.verify ? ['', marker('verify'), text.verify] : []),
    '',
  ].join('\n');
}
