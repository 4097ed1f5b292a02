// Which work the deadline middleware hands to the task runner: only work its cancel left with
// nothing half-done.
import { describe, expect, it } from '@jest/globals';
import type { EngineContext } from '../../../lambdas/engine/context.ts';
import { parseNativeMigration } from '../../../lambdas/engine/loader/native.ts';
import { handsOverAtDeadline } from '../../../lambdas/handlers/middleware/hand-over.ts';

const inTransaction = parseNativeMigration(
  '0001_in_tx.sql',
  '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n',
);
const outside = parseNativeMigration(
  '0002_outside.sql',
  '-- migrate:up transaction:false\nSELECT 1;\n-- migrate:down\nSELECT 1;\n',
);
const deps = {
  engine: async () =>
    ({
      migrations: { directory: 'm', layout: 'native', migrations: [inTransaction, outside] },
    }) as unknown as EngineContext,
};
const apply = (version: string, direction: 'up' | 'down' = 'up') => ({
  executionId: 'e',
  step: { version, name: 'x', direction },
});

describe('handsOverAtDeadline', () => {
  it('hands over a Backup, which changes nothing, and an Apply section the cancel rolled back', async () => {
    expect(await handsOverAtDeadline('Backup', { executionId: 'e' }, deps)).toBe(true);
    expect(await handsOverAtDeadline('Apply', apply('0001'), deps)).toBe(true);
    // 0002's down section runs in a transaction, its up section does not.
    expect(await handsOverAtDeadline('Apply', apply('0002', 'down'), deps)).toBe(true);
  });

  it('keeps a transaction:false section, which may be half-done, and every other step', async () => {
    expect(await handsOverAtDeadline('Apply', apply('0002'), deps)).toBe(false);
    expect(await handsOverAtDeadline('Apply', apply('9999'), deps)).toBe(false);
    for (const step of ['Validate', 'Verify', 'Rollback', 'Report'] as const) {
      expect(await handsOverAtDeadline(step, apply('0001'), deps)).toBe(false);
    }
  });
});
