// A Lambda entry builds its dependencies on the first invocation and starts its warm-up (the
// SQL parser of the steps that always parse) then, not when the bundle is imported; a failed
// warm-up is left for the step's own call to report.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lambdaEntry } from '../../../lambdas/handlers/lambda-entry.ts';

const ENV = {
  STEPMIGRATE_DATABASE: 'orders',
  STEPMIGRATE_AUDIT_TABLE: 'audit',
  STEPMIGRATE_MIGRATIONS_DIR: '/var/task/migrations',
};
const saved: Record<string, string | undefined> = {};
beforeAll(() => {
  for (const [name, value] of Object.entries(ENV)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
});
afterAll(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('lambdaEntry', () => {
  it('warms up once, when the first invocation begins', async () => {
    let warmUps = 0;
    let builds = 0;
    const handler = lambdaEntry(
      (deps) => {
        builds += 1;
        return async (event: { n: number }) => `${deps.database}:${event.n}`;
      },
      {},
      {
        warmUp: async () => {
          warmUps += 1;
        },
      },
    );
    expect([warmUps, builds]).toEqual([0, 0]);
    expect(await handler({ n: 1 })).toBe('orders:1');
    expect(await handler({ n: 2 })).toBe('orders:2');
    expect([warmUps, builds]).toEqual([1, 1]);
  });

  it('answers the invocation even when the warm-up fails', async () => {
    const handler = lambdaEntry(
      () => async () => 'done',
      {},
      {
        warmUp: () => Promise.reject(new Error('no WebAssembly')),
      },
    );
    await expect(handler({})).resolves.toBe('done');
  });
});
