// A Sqitch project, as Sqitch users write it (BEGIN/COMMIT in every script, a tag, a
// dependency chain, a reworked change, an index built concurrently), run by the engine on a
// real PostgreSQL without changing a file.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { checkMigrations } from '../../lambdas/engine/check.ts';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { readHistory } from '../../lambdas/engine/history.ts';
import { rollbackRun } from '../../lambdas/engine/rollback.ts';
import { applyPlanStep, releaseRun, validateRun, verifyRun } from '../../lambdas/engine/steps.ts';
import { engineContext } from '../support/engine.ts';
import { useProjectDatabase } from '../support/project-database.ts';

const SHOP = 'test/fixtures/sqitch/shop';
const V1_0 = ['appschema', 'users', 'products', 'orders', 'order_total'];
const AFTER_V1_0 = ['user_email_index', 'order_status', 'order_total.2', 'product_search'];

const database = useProjectDatabase(
  'sqitch_project',
  'DROP SCHEMA IF EXISTS shop CASCADE; DROP SCHEMA IF EXISTS stepmigrate CASCADE',
);

/** Validate, each Apply, then Verify — what the workflow does; the error of the first failing step. */
async function deploy(ctx: EngineContext, target: string) {
  const run = await validateRun(ctx, { target }, database.nextExecution());
  try {
    for (const step of run.plan.steps) await applyPlanStep(ctx, run, step);
    const verified = run.plan.direction === 'up' ? await verifyRun(ctx, run) : { verified: [] };
    return { run, verified: verified.verified, error: undefined };
  } catch (error) {
    return { run, verified: [], error: error as Error };
  } finally {
    await releaseRun(ctx, run);
  }
}

async function appliedVersions(): Promise<string[]> {
  const history = await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
  return history
    .filter((row) => row.state === 'applied')
    .map((row) => row.version)
    .sort();
}

describe('a Sqitch project on PostgreSQL', () => {
  it('deploys to a tag, then to the end, verifies, and reverts back to an empty schema', async () => {
    const ctx = await engineContext(database.db, SHOP);

    const first = await deploy(ctx, '@v1.0');
    expect(first.error).toBeUndefined();
    expect(first.run.plan.steps.map((step) => step.version)).toEqual(V1_0);
    expect(first.verified).toEqual(V1_0);
    const atV1 = await database.fingerprint();

    const rest = await deploy(ctx, 'latest');
    expect(rest.error).toBeUndefined();
    expect(rest.run.plan.steps.map((step) => step.version)).toEqual(AFTER_V1_0);
    expect(rest.verified).toEqual(AFTER_V1_0);
    expect(await appliedVersions()).toEqual([...V1_0, ...AFTER_V1_0].sort());
    // The reworked function is the one in effect: cancelled orders total zero.
    const total = await database.db.withConnection((conn) =>
      conn.query<{ src: string }>("SELECT prosrc AS src FROM pg_proc WHERE proname = 'order_total'"),
    );
    expect(total.rows[0]!.src).toContain('cancelled');

    const backToTag = await deploy(ctx, '@v1.0');
    expect(backToTag.error).toBeUndefined();
    expect(backToTag.run.plan.steps.map((step) => step.version)).toEqual([...AFTER_V1_0].reverse());
    expect(await database.fingerprint()).toBe(atV1);

    const empty = await deploy(ctx, '0');
    expect(empty.error).toBeUndefined();
    expect(await database.fingerprint()).toBe(database.emptyFingerprint);
    expect(await appliedVersions()).toEqual([]);
  });

  it('passes stepmigrate check: every revert brings the schema back to what it was before its deploy', async () => {
    const ctx = await engineContext(database.db, SHOP);
    const result = await checkMigrations(ctx);
    expect(result.migrations).toBe(9);
    expect(await database.fingerprint()).not.toBe(database.emptyFingerprint);
  });

  it('rolls a failing change in the middle back to where the run started', async () => {
    const copy = await database.copyOf(SHOP);
    await writeFile(
      join(copy, 'deploy/order_status.sql'),
      "BEGIN;\n\nCREATE TYPE shop.order_status AS ENUM ('open');\nALTER TABLE shop.orders ADD COLUMN status shop.no_such_type;\n\nCOMMIT;\n",
    );
    const ctx = await engineContext(database.db, copy);

    const { run, error } = await deploy(ctx, 'latest');
    expect(error).toMatchObject({ name: 'MigrationError', file: 'deploy/order_status.sql', line: 4 });
    await expect(rollbackRun(ctx, run)).resolves.toEqual({
      rolledBack: ['user_email_index', 'order_total', 'orders', 'products', 'users', 'appschema'],
    });
    expect(await database.fingerprint()).toBe(database.emptyFingerprint);
    expect(await appliedVersions()).toEqual([]);
  });
  it('fails the run when a verify script raises an error, naming its line, and rolls back', async () => {
    const copy = await database.copyOf(SHOP);
    await writeFile(
      join(copy, 'verify/order_status.sql'),
      "-- Verify shop:order_status on pg\n\nBEGIN;\n\nSELECT 'refunded'::shop.order_status;\n\nROLLBACK;\n",
    );
    const ctx = await engineContext(database.db, copy);

    const { run, error } = await deploy(ctx, 'latest');
    expect(error).toMatchObject({
      name: 'VerificationFailedError',
      migration: 'order_status',
      file: 'verify/order_status.sql',
      line: 5,
    });
    await rollbackRun(ctx, run);
    expect(await database.fingerprint()).toBe(database.emptyFingerprint);
  });
});
