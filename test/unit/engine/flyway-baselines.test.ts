// Flyway baseline migrations (B<version>__*.sql), as Flyway runs them: on a database with no
// history, the newest baseline at or below the target, then only the versioned migrations
// above it; on a database with history, baselines are ignored. What a baseline built has no
// undo: going below it is restore-only.
import { describe, expect, it } from '@jest/globals';
import { checkedMigrations } from '../../../lambdas/engine/check.ts';
import type { HistoryEntry } from '../../../lambdas/engine/history.ts';
import { buildFlywaySet } from '../../../lambdas/engine/loader/flyway.ts';
import { planSteps } from '../../../lambdas/engine/plan.ts';
import { assertConsistent, computeStatus } from '../../../lambdas/engine/status.ts';

const sources = [
  { name: 'V1__a.sql', text: 'CREATE TABLE a (id int);\n' },
  { name: 'U1__a.sql', text: 'DROP TABLE a;\n' },
  { name: 'V2__b.sql', text: 'CREATE TABLE b (id int);\n' },
  { name: 'U2__b.sql', text: 'DROP TABLE b;\n' },
  { name: 'B2__ab.sql', text: 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n' },
  { name: 'V3__c.sql', text: 'CREATE TABLE c (id int);\n' },
  { name: 'U3__c.sql', text: 'DROP TABLE c;\n' },
  {
    name: 'B3__abc.sql',
    text: 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE TABLE c (id int);\n',
  },
  { name: 'V4__d.sql', text: 'CREATE TABLE d (id int);\n' },
  { name: 'U4__d.sql', text: 'DROP TABLE d;\n' },
  { name: 'R__v.sql', text: 'CREATE OR REPLACE VIEW v AS SELECT 1;\n' },
];
const set = buildFlywaySet('db', sources);
const checksumOf = (version: string) => set.migrations.find((m) => m.version === version)!.checksum;

function row(version: string, state: HistoryEntry['state'] = 'applied'): HistoryEntry {
  return {
    version,
    name: version,
    checksum: checksumOf(version),
    state,
    direction: state === 'rolled_back' ? 'down' : 'up',
    appliedAt: '2026-11-01T00:00:00.000Z',
    appliedBy: 'test',
    executionId: 'exec-1',
    durationMs: 1,
    message: null,
  };
}

const steps = (history: HistoryEntry[], target: string) =>
  planSteps(set, computeStatus(set, history), target).steps.map((s) => `${s.direction} ${s.version}`);

describe('Flyway baseline migrations on a database with no history', () => {
  it('run the newest baseline, then only the versioned migrations above it, then the repeatables', () => {
    expect(steps([], 'latest')).toEqual(['up B3', 'up 4', 'up R__v']);
  });

  it('take the newest baseline at or below the target', () => {
    expect(steps([], '3')).toEqual(['up B3', 'up R__v']);
    expect(steps([], '2')).toEqual(['up B2', 'up R__v']);
  });

  it('run the versioned migrations when the target is below every baseline', () => {
    expect(steps([], '1')).toEqual(['up 1', 'up R__v']);
    expect(steps([], '0')).toEqual([]);
  });

  it('count a history whose every row was rolled back as none', () => {
    expect(steps([row('1', 'rolled_back')], 'latest')).toEqual(['up B3', 'up 4', 'up R__v']);
  });

  it('show the baseline due and the versioned migrations it stands for in status', () => {
    const status = computeStatus(set, []);
    expect(status.fresh).toBe(true);
    expect(status.pending).toEqual(['4', 'R__v', 'B3']);
    expect(status.migrations.map((m) => [m.version, m.state])).toEqual([
      ['1', 'ignored'],
      ['2', 'ignored'],
      ['3', 'ignored'],
      ['4', 'pending'],
      ['R__v', 'pending'],
      ['B2', 'ignored'],
      ['B3', 'pending'],
    ]);
  });
});

describe('after a baseline ran', () => {
  const history = [row('B3'), row('4'), row('R__v')];

  it('the versioned migrations at or below it are covered: applied, not pending, not missing', () => {
    const status = computeStatus(set, history);
    expect(() => assertConsistent(status, 'stepmigrate')).not.toThrow();
    expect(status.fresh).toBe(false);
    expect(status.pending).toEqual([]);
    expect(status.currentVersion).toBe('4');
    expect(status.migrations.filter((m) => m.coveredBy).map((m) => m.version)).toEqual(['1', '2', '3']);
    expect(status.migrations.find((m) => m.version === 'B2')!.state).toBe('ignored');
    expect(steps(history, 'latest')).toEqual([]);
  });

  it('a changed baseline file is tampering, like any applied migration', () => {
    const changed = [{ ...row('B3'), checksum: 'old' }, row('4')];
    expect(() => assertConsistent(computeStatus(set, changed), 'stepmigrate')).toThrow(
      'checksum changed since it was applied',
    );
  });

  it('reverts the versioned migrations above it, and refuses to go below it: restore-only', () => {
    expect(steps(history, '3')).toEqual(['down 4']);
    const below = () => planSteps(set, computeStatus(set, [row('B3')]), '2');
    expect(below).toThrow('which the baseline migration B3 built in its place; a baseline has no undo');
    expect(below).toThrow('`stepmigrate restore`');
    expect(() => planSteps(set, computeStatus(set, history), '0')).toThrow('restore');
  });
});

describe('Flyway baseline migrations on a database with history', () => {
  it('are ignored: the versioned migrations apply as usual', () => {
    const history = [row('1')];
    expect(steps(history, 'latest')).toEqual(['up 2', 'up 3', 'up 4', 'up R__v']);
    const status = computeStatus(set, history);
    expect(status.pending).toEqual(['2', '3', '4', 'R__v']);
    expect(status.migrations.filter((m) => m.version.startsWith('B')).map((m) => m.state)).toEqual([
      'ignored',
      'ignored',
    ]);
  });
});

describe('stepmigrate check on a project with baselines', () => {
  it('checks the versioned chain where it is there, and starts from the baseline where it was deleted', () => {
    expect(checkedMigrations(set).map((m) => m.version)).toEqual(['1', '2', '3', '4', 'R__v']);
    const squashed = buildFlywaySet('db', [
      { name: 'B3__abc.sql', text: 'CREATE TABLE a (id int);\n' },
      { name: 'V4__d.sql', text: 'CREATE TABLE d (id int);\n' },
    ]);
    expect(checkedMigrations(squashed).map((m) => m.version)).toEqual(['B3', '4']);
  });
});
