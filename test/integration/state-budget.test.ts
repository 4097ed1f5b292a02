// The execution state has a hard bound. 2,000 pending migrations with lint findings: Validate
// refuses them with StateBudgetError before it creates or takes anything, and names a target
// that fits; a run that fits hands the workflow a small state, the findings going to the
// audit log instead (Step Functions' limit is 256 KiB, and States.DataLimitExceeded is not
// caught by the definition's Catch).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { historyExists } from '../../lambdas/engine/history.ts';
import type { RunState } from '../../lambdas/engine/run-state.ts';
import { STATE_LIMIT_BYTES } from '../../lambdas/engine/state-budget.ts';
import { validateRun } from '../../lambdas/engine/steps.ts';
import { engineSteps } from '../../lambdas/handlers/engine-steps.ts';
import { makeValidateHandler } from '../../lambdas/handlers/validate.ts';
import type { AuditRecord, Lease } from '../../lambdas/ports.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { engineContext, type MigrationDirectory, migration, migrationDirectory } from '../support/engine.ts';

const MIGRATIONS = 2000;

class RecordingLease implements Lease {
  readonly taken: string[] = [];
  async acquire(key: string, owner: string): Promise<void> {
    this.taken.push(`${key}:${owner}`);
  }
  async release(): Promise<void> {}
  async holder(): Promise<undefined> {
    return undefined;
  }
  async takeOver(): Promise<boolean> {
    return false;
  }
}

let database: TestDatabase;
let directory: MigrationDirectory;
let ctx: EngineContext;
const lease = new RecordingLease();
let refusedWith = '';

const version = (n: number) => String(n).padStart(4, '0');

beforeAll(async () => {
  database = await createTestDatabase('state_budget');
  const files: Record<string, string> = {};
  // `integer` and `varchar(20)` draw lint warnings (prefer-bigint-over-int, prefer-text-field).
  for (let n = 1; n <= MIGRATIONS; n += 1) {
    files[`${version(n)}_create_table_${n}.sql`] = migration({
      up: `CREATE TABLE public.t${n} (id integer PRIMARY KEY, label varchar(20));`,
      down: `DROP TABLE public.t${n};`,
    });
  }
  directory = await migrationDirectory(files);
  ctx = { ...(await engineContext(database.db, directory.path)), lease };
}, 60_000);
afterAll(async () => {
  await directory?.remove();
  await database?.drop();
});

describe('the execution state budget', () => {
  it('refuses 2,000 pending migrations with findings before taking the lease or creating anything', async () => {
    const refusal = await validateRun(ctx, {}, 'exec-too-big').catch((error: Error) => error);

    expect(refusal).toMatchObject({ name: 'StateBudgetError' });
    expect(String((refusal as Error).message)).toMatch(
      /nothing was changed — run it in parts: first with the target \d{4}/,
    );
    refusedWith = (refusal as Error).message;
    expect(lease.taken).toEqual([]);
    expect(await database.db.withConnection((conn) => historyExists(conn, 'stepmigrate'))).toBe(false);
  });

  it('names a target whose run fits, and whose state stays far below the limit', async () => {
    const target = /\{"target": "(\d{4})"\}/.exec(refusedWith)?.[1];
    expect(target).toBeDefined();
    const audit: AuditRecord[] = [];
    const validate = makeValidateHandler(handlerDeps(audit));

    const state = (await validate({ executionId: 'exec-part', input: { target } } as never)) as RunState;

    expect(state.plan.steps.at(-1)?.version).toBe(target);
    expect(Number(target)).toBeGreaterThan(100);
    expect(Buffer.byteLength(JSON.stringify({ run: state }))).toBeLessThan(STATE_LIMIT_BYTES / 2);
    // The state carries a handful of findings and the count; the audit record has the detail.
    expect(state.plan.findings.length).toBeLessThanOrEqual(20);
    expect(state.plan.findingsTotal).toBeGreaterThan(Number(target));
    expect(state.plan.risks).toBeUndefined();
    const closing = audit.find((record) => record.event === 'succeeded');
    expect(((closing?.detail?.findingsDetail as unknown[] | undefined) ?? []).length).toBeGreaterThan(
      state.plan.findings.length,
    );
    expect(lease.taken).toEqual([`${state.database}:exec-part`]);
  });
});

function handlerDeps(audit: AuditRecord[]) {
  return {
    database: ctx.db.name,
    engine: async () => ctx,
    steps: engineSteps,
    auditLog: {
      append: async (record: AuditRecord) => {
        audit.push(record);
      },
      list: async () => [],
    },
    metrics: { put: async () => {} },
    log: () => {},
  } as never;
}
