// How long Validate and Apply take the run lease for, and which database a run may name:
// a run waiting for approval must keep its lease for the whole wait (nothing renews it
// then), and a workflow migrates only the database it was deployed for.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { applyPlanStep, releaseRun, validateRun } from '../../lambdas/engine/steps.ts';
import type { Lease } from '../../lambdas/ports.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { engineContext, type MigrationDirectory, migration, migrationDirectory } from '../support/engine.ts';

let database: TestDatabase;
let directory: MigrationDirectory;
let ctx: EngineContext;
const taken: Array<{ key: string; ttlMs: number }> = [];

const MINUTE = 60_000;

beforeAll(async () => {
  database = await createTestDatabase('lease_timing');
  directory = await migrationDirectory({
    '0001_create_notes.sql': migration({
      up: 'CREATE TABLE public.notes (id bigint PRIMARY KEY);',
      down: 'DROP TABLE public.notes;',
    }),
  });
  const base = await engineContext(database.db, directory.path);
  const lease: Lease = {
    acquire: async (key, owner, ttlMs) => {
      taken.push({ key, ttlMs });
      await base.lease.acquire(key, owner, ttlMs);
    },
    release: (key, owner) => base.lease.release(key, owner),
    holder: (key) => base.lease.holder(key),
    takeOver: (key, from, owner, ttlMs) => base.lease.takeOver(key, from, owner, ttlMs),
  };
  ctx = { ...base, lease, leaseTiming: { leaseTtlMs: 40 * MINUTE, approvalTimeoutMs: 120 * MINUTE } };
});
afterAll(async () => {
  await directory?.remove();
  await database.drop();
});

describe('the run lease', () => {
  it('lasts the lease time plus the approval timeout when the run waits for approval, and Apply renews it', async () => {
    taken.length = 0;
    const run = await validateRun(ctx, { requireApproval: true }, 'exec-approval');
    await applyPlanStep(ctx, run, run.plan.steps[0]!);
    await releaseRun(ctx, run);

    expect(taken.map((entry) => entry.ttlMs)).toEqual([160 * MINUTE, 40 * MINUTE]);
  });

  it('lasts the lease time when nobody has to approve', async () => {
    taken.length = 0;
    // The first test applied 0001: going back to 0 is a change, so the lease is taken.
    const run = await validateRun(ctx, { target: '0' }, 'exec-plain');
    await releaseRun(ctx, run);

    expect(taken.map((entry) => entry.ttlMs)).toEqual([40 * MINUTE]);
  });
});

describe('the database field', () => {
  it('may name the database the workflow migrates', async () => {
    const run = await validateRun(ctx, { database: database.db.name, dryRun: true }, 'exec-named');
    expect(run.database).toBe(database.db.name);
  });

  it('is refused with InputError, before any lease, when it names another database', async () => {
    taken.length = 0;
    await expect(validateRun(ctx, { database: 'billing' }, 'exec-other')).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        `database "billing" is not the database this workflow migrates ("${database.db.name}")`,
      ),
    });
    expect(taken).toEqual([]);
  });
});
