// The deadline middleware on its own: armed only when the context has a deadline, cancels
// before it, and names the cancellation in the step's error without losing its class.
import { describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import { MigrationError, RollbackFailedError } from '../../../lambdas/engine/errors.ts';
import { deadlineMiddleware } from '../../../lambdas/handlers/middleware/deadline.ts';

function slowStep(options: { marginMs: number; fail: (cancelled: boolean) => Error | undefined }) {
  let cancelled = false;
  const logs: string[] = [];
  const handler = middy()
    .use(
      deadlineMiddleware({
        step: 'Apply',
        marginMs: options.marginMs,
        log: (line) => logs.push(line),
        cancel: async () => {
          cancelled = true;
          return [4242];
        },
      }),
    )
    .handler(async () => {
      await new Promise((resolve) => setTimeout(resolve, 80));
      const error = options.fail(cancelled);
      if (error) throw error;
      return 'done';
    });
  return { handler, logs, wasCancelled: () => cancelled };
}

const deadlineIn = (ms: number) => {
  const at = Date.now() + ms;
  return { getRemainingTimeInMillis: () => at - Date.now() } as never;
};

describe('deadline middleware', () => {
  it('does nothing without a Lambda context (local runs)', async () => {
    const step = slowStep({ marginMs: 10_000, fail: () => undefined });
    await expect(step.handler({}, {} as never)).resolves.toBe('done');
    expect(step.wasCancelled()).toBe(false);
  });

  it('does nothing when the step ends before the margin', async () => {
    const step = slowStep({ marginMs: 100, fail: () => undefined });
    await expect(step.handler({}, deadlineIn(10_000))).resolves.toBe('done');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(step.wasCancelled()).toBe(false);
  });

  it('cancels near the deadline and says so in a MigrationError that keeps the migration', async () => {
    const step = slowStep({
      marginMs: 10_000,
      fail: (cancelled) =>
        cancelled
          ? new MigrationError('canceling statement due to user request', { migration: '0007', line: 3 })
          : undefined,
    });
    const failure = step.handler({}, deadlineIn(10_020));
    await expect(failure).rejects.toMatchObject({
      name: 'MigrationError',
      migration: '0007',
      line: 3,
      message: expect.stringMatching(
        /^Apply cancelled its running statement \d+ s before the Lambda timeout/,
      ),
    });
    expect(step.logs.join('\n')).toContain('server process(es) 4242');
  });

  it('keeps cancelling while the step runs, so a statement started after the first cancel stops too', async () => {
    let cancels = 0;
    const handler = middy()
      .use(
        deadlineMiddleware({
          step: 'Apply',
          marginMs: 10_000,
          log: () => undefined,
          cancel: async () => {
            cancels++;
            return [];
          },
        }),
      )
      .handler(async () => {
        await new Promise((resolve) => setTimeout(resolve, 1300));
        return 'done';
      });
    await handler({}, deadlineIn(10_020));
    expect(cancels).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(cancels).toBe(2);
  });

  it('keeps a RollbackFailedError a RollbackFailedError', async () => {
    const step = slowStep({
      marginMs: 10_000,
      fail: (cancelled) => (cancelled ? new RollbackFailedError('down section cancelled') : undefined),
    });
    await expect(step.handler({}, deadlineIn(10_020))).rejects.toMatchObject({
      name: 'RollbackFailedError',
      message: expect.stringContaining('Lambda timeout'),
    });
  });
});
