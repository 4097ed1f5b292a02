// Where Validate sends each piece of work, and when it refuses a run no configured runner can
// finish: the choice is pure, so these run on plain data.
import { describe, expect, it } from '@jest/globals';
import { ExitCode, exitCodeForError, RunnerLimitError } from '../../../lambdas/engine/errors.ts';
import { parseNativeMigration } from '../../../lambdas/engine/loader/native.ts';
import type { Migration, PlanStep } from '../../../lambdas/engine/model.ts';
import type { RunState } from '../../../lambdas/engine/run-state.ts';
import {
  chooseRunners,
  LAMBDA_MAX_MS,
  LAMBDA_ONLY_LIMITS,
  type RunnerLimits,
  refuseOversizedTaskEvent,
  refuseUnfinishable,
} from '../../../lambdas/engine/runner-choice.ts';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected the call to throw');
}

const GB = 1024 ** 3;
const WITH_TASK: RunnerLimits = { lambdaBudgetMs: LAMBDA_MAX_MS, taskBudgetMs: 6 * 3_600_000 };

function file(name: string, upMarker = '-- migrate:up', downMarker = '-- migrate:down'): Migration {
  return parseNativeMigration(name, `${upMarker}\nSELECT 1;\n\n${downMarker}\nSELECT 2;\n`);
}

const quick = file('0001_quick.sql');
const asks = file('0002_asks.sql', '-- migrate:up runner:task');
const downAsks = file('0003_down_asks.sql', '-- migrate:up', '-- migrate:down runner:task');

function upSteps(...migrations: Migration[]): PlanStep[] {
  return migrations.map((m) => ({ version: m.version, name: m.name, direction: 'up' }));
}

describe('chooseRunners', () => {
  it('keeps small work on Lambda and writes nothing down for it', () => {
    const choice = chooseRunners(
      { steps: upSteps(quick), direction: 'up', backupEstimateBytes: 1024 },
      [quick],
      {},
      WITH_TASK,
    );
    expect(choice.steps).toEqual(upSteps(quick));
    expect(choice.runners).toMatchObject({ backup: 'lambda', rollback: 'lambda' });
    expect(choice.taskWork).toEqual([]);
  });

  it('sends a migration that asks for it (-- migrate:up runner:task) to the task runner, and its rollback too', () => {
    expect(asks.up.runner).toBe('task');
    const choice = chooseRunners(
      { steps: upSteps(quick, asks), direction: 'up' },
      [quick, asks],
      {},
      WITH_TASK,
    );
    expect(choice.steps.map((s) => s.runner)).toEqual([undefined, 'task']);
    expect(choice.runners.rollback).toBe('task');
  });

  it('sends the rollback to the task runner when a down section asks for it', () => {
    const choice = chooseRunners({ steps: upSteps(downAsks), direction: 'up' }, [downAsks], {}, WITH_TASK);
    expect(choice.steps[0]?.runner).toBeUndefined();
    expect(choice.runners.rollback).toBe('task');
  });

  it('sends a migration to the task runner when the tables it rewrites would take over half an invocation', () => {
    // 10 GB at 20 MB/s is over 8 minutes: more than half of 15.
    const choice = chooseRunners(
      { steps: upSteps(quick, file('0004_rewrite.sql')), direction: 'up' },
      [quick, file('0004_rewrite.sql')],
      { '0001': 100 * 1024 ** 2, '0004': 10 * GB },
      WITH_TASK,
    );
    expect(choice.steps.map((s) => s.runner)).toEqual([undefined, 'task']);
    expect(choice.runners.estimates.steps['0004']).toBeGreaterThan(LAMBDA_MAX_MS / 2);
  });

  it('sends backup and restore to the task runner above their thresholds, derived from the Lambda budget', () => {
    // Half of 15 minutes: about 10 GB backed up at 23 MB/s, about 5 GB restored at 11 MB/s.
    const at = (bytes: number) =>
      chooseRunners(
        { steps: upSteps(quick), direction: 'up', backupEstimateBytes: bytes },
        [quick],
        {},
        WITH_TASK,
      ).runners;
    expect(at(4 * GB)).toMatchObject({ backup: 'lambda', rollback: 'lambda' });
    expect(at(7 * GB)).toMatchObject({ backup: 'lambda', rollback: 'task' });
    expect(at(12 * GB)).toMatchObject({ backup: 'task', rollback: 'task' });
  });

  it('follows a smaller Lambda budget and explicit thresholds', () => {
    const small: RunnerLimits = {
      lambdaBudgetMs: 5000,
      taskBudgetMs: 60_000,
      backupTaskThresholdBytes: 1000,
    };
    const { runners } = chooseRunners(
      { steps: upSteps(quick), direction: 'up', backupEstimateBytes: 2000 },
      [quick],
      {},
      small,
    );
    // 2000 bytes restore in far less than 2.5 s: only the backup crosses its (explicit) threshold.
    expect(runners).toMatchObject({ backup: 'task', rollback: 'lambda' });
  });
});

describe('refuseUnfinishable', () => {
  it('refuses work that needs the task runner where none is deployed, naming each piece and the fix', () => {
    const choice = chooseRunners(
      { steps: upSteps(asks), direction: 'up', backupEstimateBytes: 30 * GB },
      [asks],
      {},
      LAMBDA_ONLY_LIMITS,
    );
    const error = thrown(() => refuseUnfinishable(choice, LAMBDA_ONLY_LIMITS));
    expect(error).toBeInstanceOf(RunnerLimitError);
    expect(error.name).toBe('RunnerLimitError');
    expect(error.message).toContain('migration 0002_asks needs the task runner (it asks for it');
    expect(error.message).toContain('the backup needs the task runner (it copies about 30.0 GiB');
    expect(error.message).toContain('a rollback needs the task runner');
    expect(error.message).toContain('remove `taskRunner: false`');
    expect(exitCodeForError(error.name)).toBe(ExitCode.refused);
  });

  it("refuses work estimated to outlast the task runner's own limit", () => {
    const limits: RunnerLimits = { lambdaBudgetMs: LAMBDA_MAX_MS, taskBudgetMs: 3_600_000 };
    const rewrite = file('0005_rewrite_events.sql');
    // 200 GB at 20 MB/s: nearly 3 hours.
    const choice = chooseRunners(
      { steps: upSteps(rewrite), direction: 'up' },
      [rewrite],
      { '0005': 200 * GB },
      limits,
    );
    const error = thrown(() => refuseUnfinishable(choice, limits));
    expect(error.message).toMatch(
      /migration 0005_rewrite_events is estimated at 3\.0 h .* longer than the task runner's limit of 1\.0 h/,
    );
    expect(error.message).toContain('raise `taskRunner.timeout`');
  });

  it('lets a run through when every piece fits a configured runner', () => {
    const choice = chooseRunners(
      { steps: upSteps(quick, asks), direction: 'up', backupEstimateBytes: 30 * GB },
      [quick, asks],
      {},
      WITH_TASK,
    );
    expect(() => refuseUnfinishable(choice, WITH_TASK)).not.toThrow();
  });
});

describe('-- migrate:up runner:task', () => {
  it('is refused on verify, and named among the options of up and down', () => {
    expect(() =>
      parseNativeMigration(
        '0006_x.sql',
        '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n-- migrate:verify runner:task\nSELECT 1;\n',
      ),
    ).toThrow(/"runner:task" is not allowed on "-- migrate:verify"/);
    expect(() =>
      parseNativeMigration(
        '0006_x.sql',
        '-- migrate:up runner:fargate\nSELECT 1;\n-- migrate:down\nSELECT 1;\n',
      ),
    ).toThrow(/the options are transaction:false, runner:task, /);
  });
});

describe('refuseOversizedTaskEvent', () => {
  const runWith = (count: number, runner?: 'task'): RunState => ({
    executionId: 'exec-1',
    database: 'orders',
    input: {
      target: 'latest',
      dryRun: false,
      requireApproval: false,
      allowIrreversible: false,
      bakeSeconds: 0,
    },
    status: 'pending',
    fingerprintBefore: 'f'.repeat(64),
    startedAt: '2026-12-01T00:00:00.000Z',
    plan: {
      fromVersion: '0',
      toVersion: String(count).padStart(4, '0'),
      direction: 'up',
      steps: Array.from({ length: count }, (_, i) => ({
        version: String(i + 1).padStart(4, '0'),
        name: `migration_number_${i + 1}`,
        direction: 'up' as const,
        ...(runner && i === 0 ? { runner } : {}),
      })),
      affectedTables: [],
      backupTables: [],
      findings: [],
      runners: {
        backup: 'lambda',
        rollback: runner ?? 'lambda',
        estimates: { backupMs: 0, restoreMs: 0, steps: {} },
      },
    },
  });

  it('refuses a run for the task runner whose state would not fit the ECS overrides, saying what to do', () => {
    expect(() => refuseOversizedTaskEvent(runWith(3, 'task'))).not.toThrow();
    expect(() => refuseOversizedTaskEvent(runWith(60, 'task'))).toThrow(
      /would not fit the 8\.0 KiB ECS allows a task to be started with — run fewer migrations at a time/,
    );
  });

  it('does not mind the size of a run that stays on Lambda', () => {
    expect(() => refuseOversizedTaskEvent(runWith(60))).not.toThrow();
  });
});
