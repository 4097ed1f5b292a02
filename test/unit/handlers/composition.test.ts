// Both runners compose their step dependencies through composeStepDependencies: given the
// same migrations, the Lambdas and the local runner build the same engine context (apart
// from the adapters), and scrub credentials from log lines the same way.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { localDependencies } from '../../../cli/local-runner/local-dependencies.ts';
import { PROJECT_ROOT } from '../../../infra/bundling.ts';
import type { EngineContext } from '../../../lambdas/engine/context.ts';
import { DEFAULT_APPROVAL_TIMEOUT_MS, DEFAULT_LEASE_TTL_MS } from '../../../lambdas/engine/lease-timing.ts';
import { loadMigrations } from '../../../lambdas/engine/loader/load.ts';
import { loadProjectSettings } from '../../../lambdas/engine/project-settings.ts';
import { awsDependencies } from '../../../lambdas/handlers/aws/aws-dependencies.ts';
import { executionLiveness } from '../../../lambdas/handlers/aws/lease-port.ts';

const migrationsDir = join(PROJECT_ROOT, 'migrations');
const SECRET_URL = 'postgresql://app:hunter2@db.internal:5432/app';

const awsLines: string[] = [];
const localLines: string[] = [];
const local = await localDependencies({
  projectDir: join(PROJECT_ROOT, 'test', 'fixtures', 'no-such-project'),
  migrationsDir,
  databaseUrl: 'postgresql://local:pw@127.0.0.1:1/app',
  approval: 'refuse',
  log: (line) => localLines.push(line),
});
const aws = awsDependencies(
  {
    STEPMIGRATE_DATABASE: 'app',
    STEPMIGRATE_AUDIT_TABLE: 'audit',
    STEPMIGRATE_MIGRATIONS_DIR: migrationsDir,
  },
  { migrations: loadMigrations, settings: loadProjectSettings, holders: executionLiveness },
);

afterAll(() => local.close());

/** What an engine context holds besides its adapters and the runner's identity. */
function settings(ctx: EngineContext) {
  const { db: _db, lease: _lease, holders: _holders, log: _log, actor: _actor, ...rest } = ctx;
  return rest;
}

describe('one composition for both runners', () => {
  it('gives the handlers the same set of dependencies', () => {
    expect(Object.keys(aws).sort()).toEqual(Object.keys(local.deps).sort());
  });

  it('builds the same engine context from the same migrations', async () => {
    const [fromAws, fromLocal] = [await aws.engine(), await local.deps.engine()];
    expect(Object.keys(fromAws).sort()).toEqual(Object.keys(fromLocal).sort());
    // The Lambdas read the lease timing from their environment (the engine's defaults here).
    expect(fromAws.leaseTiming).toEqual({
      leaseTtlMs: DEFAULT_LEASE_TTL_MS,
      approvalTimeoutMs: DEFAULT_APPROVAL_TIMEOUT_MS,
    });
    // Locally the task runner is always there (a process); a Lambda knows one only when the
    // stack deploys it (STEPMIGRATE_TASK_BUDGET_MS), which this environment does not.
    expect(fromAws.runners?.lambdaBudgetMs).toBe(fromLocal.runners?.lambdaBudgetMs);
    expect(fromAws.runners?.taskBudgetMs).toBeUndefined();
    expect(settings(fromAws)).toEqual({
      ...settings(fromLocal),
      leaseTiming: fromAws.leaseTiming,
      runners: fromAws.runners,
    });
    expect(fromAws.migrations.migrations.length).toBeGreaterThan(0);
  });

  it('scrubs credentials from engine log lines in both', async () => {
    const log = jestConsole(awsLines);
    (await aws.engine()).log?.(`connecting to ${SECRET_URL}`);
    log.restore();
    (await local.deps.engine()).log?.(`connecting to ${SECRET_URL}`);
    expect(awsLines).toHaveLength(1);
    expect(awsLines).toEqual(localLines);
    expect(awsLines[0]).not.toContain('hunter2');
  });
});

/** Captures console.log, where a Lambda's engine lines go. */
function jestConsole(lines: string[]) {
  const original = console.log;
  console.log = (line: string) => lines.push(line);
  return { restore: () => (console.log = original) };
}
