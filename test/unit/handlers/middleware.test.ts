// The cross-cutting work every step handler gets: audit records, step metrics, one log
// line, and errors that keep their name (Retry/Catch match it) and lose any credential.
import { describe, expect, it } from '@jest/globals';
import { DatabaseError } from 'pg-protocol';
import { LockTimeoutError, MigrationError } from '../../../lambdas/engine/errors.ts';
import type { RunState } from '../../../lambdas/engine/run-state.ts';
import { normalizeError } from '../../../lambdas/handlers/middleware/normalize-error.ts';
import { redactSecrets } from '../../../lambdas/handlers/middleware/redact.ts';
import { stepHandler } from '../../../lambdas/handlers/middleware/step-handler.ts';
import { fakeDependencies, runStateFor } from './fake-dependencies.ts';

const run: RunState = runStateFor('exec-1', { versions: ['0001', '0002'] }, { requestedBy: 'pipeline-42' });
const event = { executionId: 'exec-1', run, step: run.plan.steps[1] };

function ticking(start = Date.parse('2026-11-21T10:00:00Z'), stepMs = 25) {
  let now = start;
  return () => {
    const at = new Date(now);
    now += stepMs;
    return at;
  };
}

describe('step middleware', () => {
  it('audits start and success with who, what, which migrations and their checksums', async () => {
    const fake = fakeDependencies({ versions: ['0001', '0002'] });
    const handler = stepHandler('Apply', { ...fake.deps, now: ticking() }, async () => ({ ok: true }));

    await handler(event);

    expect(fake.auditLog.records).toHaveLength(2);
    const [started, succeeded] = fake.auditLog.records;
    expect(started).toMatchObject({
      step: 'Apply',
      event: 'started',
      executionId: 'exec-1',
      database: 'fake',
    });
    expect(succeeded).toMatchObject({
      step: 'Apply',
      event: 'succeeded',
      migrations: ['0002'],
      checksums: { '0002': 'sum0002' },
      requestedBy: 'pipeline-42',
    });
    expect(succeeded?.durationMs).toBeGreaterThan(0);
  });

  it('audits a failure with the error summary and rethrows the same error, name intact', async () => {
    const fake = fakeDependencies();
    const failure = new LockTimeoutError('waited 3000 ms for a lock on app.users', { migration: '0002' });
    const handler = stepHandler('Apply', fake.deps, async () => {
      throw failure;
    });

    await expect(handler(event)).rejects.toBe(failure);

    expect(failure.name).toBe('LockTimeoutError');
    expect(fake.auditLog.records.at(-1)).toMatchObject({
      event: 'failed',
      error: { name: 'LockTimeoutError', migration: '0002', message: failure.message },
    });
  });

  it('puts StepDurationMs with the Step dimension, and StepErrors when the step fails', async () => {
    const fake = fakeDependencies();
    await stepHandler('Verify', fake.deps, async () => ({}))(event);
    await expect(
      stepHandler('Verify', fake.deps, async () => {
        throw new MigrationError('x');
      })(event),
    ).rejects.toThrow('x');

    expect(fake.metrics.map((m) => m.name)).toEqual(['StepDurationMs', 'StepDurationMs', 'StepErrors']);
    expect(fake.metrics[0]?.dimensions).toEqual({ Database: 'fake', Step: 'Verify' });
  });

  it('never fails a step because metrics could not be sent', async () => {
    const fake = fakeDependencies();
    const deps = {
      ...fake.deps,
      metrics: {
        put: async () => {
          throw new Error('CloudWatch throttled');
        },
      },
    };
    await expect(stepHandler('Verify', deps, async () => 'done')(event)).resolves.toBe('done');
    expect(fake.logs.some((line) => line.includes('CloudWatch throttled'))).toBe(true);
  });

  it('keeps the step error when the failure audit record cannot be written', async () => {
    const fake = fakeDependencies();
    let appends = 0;
    const deps = {
      ...fake.deps,
      auditLog: {
        ...fake.deps.auditLog,
        append: async () => {
          if (++appends > 1) throw new Error('table unavailable');
        },
        list: fake.deps.auditLog.list,
      },
    };
    const handler = stepHandler('Apply', deps, async () => {
      throw new MigrationError('duplicate key');
    });
    await expect(handler(event)).rejects.toMatchObject({ name: 'MigrationError', message: 'duplicate key' });
  });

  it('keeps credentials out of log lines, audit records and the rethrown error', async () => {
    const fake = fakeDependencies();
    const handler = stepHandler('Validate', fake.deps, async () => {
      throw new Error(
        'could not connect to postgres://admin:hunter2@db.internal:5432/app (password=hunter2)',
      );
    });
    const error = (await handler({ executionId: 'exec-1', input: {} }).catch((e: unknown) => e)) as Error;

    const everything = JSON.stringify([fake.logs, fake.auditLog.records, error.message, error.stack]);
    expect(everything).not.toContain('hunter2');
    expect(error.message).toContain('postgres://admin:***@db.internal:5432/app');
  });

  it('records the database and requester of a Validate that failed before there was a run', async () => {
    const fake = fakeDependencies();
    const handler = stepHandler('Validate', fake.deps, async () => {
      throw new Error('bad');
    });
    await handler({ executionId: 'exec-9', input: { database: 'orders', requestedBy: 'ci' } }).catch(
      () => undefined,
    );
    expect(fake.auditLog.records.at(-1)).toMatchObject({
      executionId: 'exec-9',
      database: 'orders',
      requestedBy: 'ci',
    });
  });
});

describe('normalizeError', () => {
  it('turns anything thrown into an Error that a Catch can match', () => {
    expect(normalizeError('boom')).toMatchObject({ name: 'Error', message: 'non-error thrown: boom' });
    expect(normalizeError({ code: 42 }).message).toBe('non-error thrown: {"code":42}');
  });

  it('names node-postgres server errors DatabaseError instead of the unmatchable "error"', () => {
    const driverError = new DatabaseError('relation "x" does not exist', 120, 'error');
    expect(driverError.name).toBe('error');
    expect(normalizeError(driverError).name).toBe('DatabaseError');
  });

  it('names them so in a bundle too, where class names are minified', () => {
    class Bq extends Error {}
    const minified = Object.assign(new Bq('relation "x" does not exist'), { name: 'error' });
    expect(normalizeError(minified).name).toBe('DatabaseError');
    expect(normalizeError(Object.assign(new Bq('nameless'), { name: '' })).name).toBe('Error');
  });
});

describe('redactSecrets', () => {
  it.each([
    ['postgresql://u:p%40ss@h/db', 'postgresql://u:***@h/db'],
    ['host=h password=s3cret user=u', 'host=h password=*** user=u'],
    ['{"username":"u","password":"s3cr\\"et"}', '{"username":"u","password":"***"}'],
    ['{"SecretString":"{...}"}', '{"SecretString":"***"}'],
  ])('%s', (text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });
});
