// The history schema is the engine's: a first run creates it whatever lease the runner
// uses. On AWS the lease is in DynamoDB and never touches the database, so a run whose
// lease does not create `stepmigrate.schema_history` must still apply and record.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { historyExists, readHistory } from '../../lambdas/engine/history.ts';
import { applyPlanStep, releaseRun, validateRun } from '../../lambdas/engine/steps.ts';
import type { Lease, LeaseHolder } from '../../lambdas/ports.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { engineContext, type MigrationDirectory, migration, migrationDirectory } from '../support/engine.ts';

/** A lease kept in memory, like DynamoDB's: it never creates anything in the database. */
class MemoryLease implements Lease {
  readonly held = new Map<string, string>();
  async acquire(key: string, owner: string): Promise<void> {
    const holder = this.held.get(key);
    if (holder !== undefined && holder !== owner) throw new Error(`held by ${holder}`);
    this.held.set(key, owner);
  }
  async release(key: string, owner: string): Promise<void> {
    if (this.held.get(key) === owner) this.held.delete(key);
  }
  async holder(key: string): Promise<LeaseHolder | undefined> {
    const owner = this.held.get(key);
    return owner === undefined ? undefined : { owner, expiresAt: new Date(0).toISOString() };
  }
  async takeOver(): Promise<boolean> {
    return false;
  }
}

let database: TestDatabase;
let directory: MigrationDirectory;
let ctx: EngineContext;

beforeAll(async () => {
  database = await createTestDatabase('history_setup');
  directory = await migrationDirectory({
    '0001_create_items.sql': migration({
      up: 'CREATE TABLE public.items (id bigint PRIMARY KEY);',
      down: 'DROP TABLE public.items;',
    }),
  });
  ctx = { ...(await engineContext(database.db, directory.path)), lease: new MemoryLease() };
});
afterAll(async () => {
  await directory?.remove();
  await database?.drop();
});

const exists = () => database.db.withConnection((conn) => historyExists(conn, 'stepmigrate'));

describe('the history schema on a fresh database', () => {
  it('is not created by a dry run', async () => {
    const run = await validateRun(ctx, { dryRun: true }, 'exec-dry');
    expect(run.status).toBe('dry_run');
    expect(await exists()).toBe(false);
  });

  it('is created by the engine on the first real run, with a lease that lives outside the database', async () => {
    const run = await validateRun(ctx, {}, 'exec-first');
    expect(await exists()).toBe(true);
    for (const step of run.plan.steps) await applyPlanStep(ctx, run, step);
    await releaseRun(ctx, run);
    const history = await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
    expect(history.map((row) => [row.version, row.state, row.executionId])).toEqual([
      ['0001', 'applied', 'exec-first'],
    ]);
  });
});
