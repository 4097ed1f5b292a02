// Flyway repeatables (R__*.sql): applied after the versioned migrations, applied again when
// their file changes — which is not tampering for them — and never reverted.
import { describe, expect, it } from '@jest/globals';
import { ChecksumMismatchError } from '../../../lambdas/engine/errors.ts';
import type { HistoryEntry } from '../../../lambdas/engine/history.ts';
import { buildFlywaySet } from '../../../lambdas/engine/loader/flyway.ts';
import { planSteps } from '../../../lambdas/engine/plan.ts';
import { assertConsistent, computeStatus } from '../../../lambdas/engine/status.ts';

const sources = [
  { name: 'V1__create_items.sql', text: 'CREATE TABLE items (id int);\n' },
  { name: 'U1__create_items.sql', text: 'DROP TABLE items;\n' },
  { name: 'V2__add_name.sql', text: 'ALTER TABLE items ADD COLUMN name text;\n' },
  { name: 'U2__add_name.sql', text: 'ALTER TABLE items DROP COLUMN name;\n' },
  { name: 'R__item_names.sql', text: 'CREATE OR REPLACE VIEW item_names AS SELECT name FROM items;\n' },
];

function row(version: string, checksum: string): HistoryEntry {
  return {
    version,
    name: version,
    checksum,
    state: 'applied',
    direction: 'up',
    appliedAt: '2026-11-01T00:00:00.000Z',
    appliedBy: 'test',
    executionId: 'exec-1',
    durationMs: 1,
    message: null,
  };
}

/** History of a database where everything in `set` was applied as it is now, except `changed`. */
function historyOf(set: ReturnType<typeof buildFlywaySet>, changed: string[] = []): HistoryEntry[] {
  return set.migrations.map((m) => row(m.version, changed.includes(m.version) ? 'old-checksum' : m.checksum));
}

const steps = (plan: ReturnType<typeof planSteps>) => plan.steps.map((s) => `${s.direction} ${s.version}`);

describe('Flyway repeatable migrations', () => {
  const set = buildFlywaySet('db', sources);

  it('run after the versioned migrations, and the current version stays a versioned one', () => {
    const status = computeStatus(set, []);
    const plan = planSteps(set, status, 'latest');
    expect(steps(plan)).toEqual(['up 1', 'up 2', 'up R__item_names']);
    expect(plan.toVersion).toBe('2');
    expect(computeStatus(set, historyOf(set)).currentVersion).toBe('2');
  });

  it('run again when their file changed, instead of a checksum refusal', () => {
    const status = computeStatus(set, historyOf(set, ['R__item_names']));
    expect(() => assertConsistent(status, 'stepmigrate')).not.toThrow();
    expect(status.pending).toEqual(['R__item_names']);
    expect(status.migrations.at(-1)).toMatchObject({ state: 'pending', checksumChanged: true });
    expect(steps(planSteps(set, status, 'latest'))).toEqual(['up R__item_names']);
  });

  it('a changed versioned migration is still tampering', () => {
    const status = computeStatus(set, historyOf(set, ['2']));
    expect(() => assertConsistent(status, 'stepmigrate')).toThrow(ChecksumMismatchError);
  });

  it('run after the versioned migrations of a run to a lower target too, and are never reverted', () => {
    expect(steps(planSteps(set, computeStatus(set, []), '1'))).toEqual(['up 1', 'up R__item_names']);
    const everything = computeStatus(set, historyOf(set));
    const down = planSteps(set, everything, '1');
    expect(steps(down)).toEqual(['down 2']);
    expect(down.toVersion).toBe('1');
    expect(steps(planSteps(set, everything, '0'))).toEqual(['down 2', 'down 1']);
    expect(steps(planSteps(set, everything, 'latest'))).toEqual([]);
  });
});
