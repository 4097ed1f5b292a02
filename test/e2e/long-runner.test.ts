// The long path, locally: with a 5-second Lambda budget, work that does not fit one
// invocation goes to the task runner — a separate process running the task's entry point —
// and the run still ends where it should, with the audit log and the metrics saying which
// runner did each piece of work.
//
// The handed-over migration sleeps 6 s rather than 30: longer than the budget is what matters
// (a 30-second one proves nothing more and costs 24 s of wall time). The one that asks for the
// task runner needs no length at all.
import { describe, expect, it } from '@jest/globals';
import { type LocalRunResult, runWorkflowLocally } from '../../cli/local-runner/run-workflow.ts';
import { LocalAuditLog } from '../../lambdas/adapters/local-audit-log.ts';
import { LocalMetrics, type RecordedMetric } from '../../lambdas/adapters/local-metrics.ts';
import { ExitCode } from '../../lambdas/engine/errors.ts';
import type { AuditRecord } from '../../lambdas/ports.ts';
import { migration } from '../support/engine.ts';
import { useLocalRunProject, WORKFLOW_CACHE_DIR } from './local-run-project.ts';

const BUDGET_MS = 5000;
const SLOW_SECONDS = 6;

const project = useLocalRunProject('long_runner', 'stepmigrate-long-');

async function run(
  files: Record<string, string>,
  limits: { backupTaskThresholdBytes?: number; restoreTaskThresholdBytes?: number } = {},
): Promise<LocalRunResult> {
  return runWorkflowLocally({
    projectDir: project.projectDir,
    migrationsDir: await project.migrations(files),
    databaseUrl: project.database.url,
    approval: 'refuse',
    input: { requestedBy: 'long-runner-test' },
    cacheDir: WORKFLOW_CACHE_DIR,
    retryPauseMs: 100,
    lambdaBudgetMs: BUDGET_MS,
    ...limits,
  });
}

const audit = async (executionId: string): Promise<AuditRecord[]> =>
  (await LocalAuditLog.forProject(project.projectDir).list({ executionId })).reverse();
const metrics = (): Promise<RecordedMetric[]> => LocalMetrics.forProject(project.projectDir).readAll();

/** "Step:event@runner" for every audit record of the run, oldest first. */
function timeline(records: readonly AuditRecord[]): string[] {
  return records.map(
    (r) =>
      `${r.step}${r.migrations?.length === 1 ? ` ${r.migrations[0]}` : ''}:${r.event}@${r.detail?.runner}`,
  );
}

function taskMetricSteps(recorded: readonly RecordedMetric[]): string[] {
  return recorded
    .filter((m) => m.name === 'StepDurationMs' && m.dimensions.Runner === 'task')
    .map((m) => m.dimensions.Step ?? '');
}

async function query<T>(sql: string): Promise<T[]> {
  return project.database.db.withConnection(
    async (conn) => (await conn.query<T & Record<string, unknown>>(sql)).rows,
  );
}

const createItems = migration({
  up: 'CREATE SCHEMA app;\nCREATE TABLE app.items (id bigint PRIMARY KEY, note text NOT NULL);',
  down: 'DROP TABLE app.items;\nDROP SCHEMA app;',
});

describe('the long path with a 5-second Lambda budget', () => {
  it(`finishes on the task runner a migration that asks for it, and a ${SLOW_SECONDS}-second one handed over at its Lambda deadline`, async () => {
    const result = await run({
      '0001_create_items.sql': createItems,
      '0002_slow_on_task.sql': migration({
        upOptions: 'runner:task',
        up: `SELECT pg_sleep(1);\nINSERT INTO app.items VALUES (1, 'asked for the task');`,
        down: 'DELETE FROM app.items WHERE id = 1;',
      }),
      '0003_slow_handed_over.sql': migration({
        up: `SELECT pg_sleep(${SLOW_SECONDS});\nINSERT INTO app.items VALUES (2, 'handed over');`,
        down: 'DELETE FROM app.items WHERE id = 2;',
      }),
    });

    expect(result.failure).toBeUndefined();
    expect(result.output).toMatchObject({ status: 'succeeded', applied: ['0001', '0002', '0003'] });
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(await query<{ id: string }>('SELECT id FROM app.items ORDER BY id')).toEqual([
      { id: '1' },
      { id: '2' },
    ]);

    const records = await audit(result.executionId);
    expect(timeline(records).filter((line) => line.startsWith('Apply'))).toEqual([
      'Apply 0001:started@lambda',
      'Apply 0001:succeeded@lambda',
      // Validate chose the task runner for 0002: it never ran on Lambda.
      'Apply 0002:started@task',
      'Apply 0002:succeeded@task',
      // 0003 started on Lambda, was cancelled cleanly before the deadline and finished on the task.
      'Apply 0003:started@lambda',
      'Apply 0003:failed@lambda',
      'Apply 0003:started@task',
      'Apply 0003:succeeded@task',
    ]);
    const handedOver = records.find((r) => r.step === 'Apply' && r.event === 'failed');
    expect(handedOver?.error).toMatchObject({ name: 'DeadlineReachedError', migration: '0003' });
    expect(handedOver?.error?.message).toContain('canceling statement due to user request');
    // The cancel rolled the Lambda's attempt back: the task did the work, it did not find it done.
    const onTask = records.filter(
      (r) => r.step === 'Apply' && r.event === 'succeeded' && r.detail?.runner === 'task',
    );
    expect(onTask.map((r) => [r.migrations?.[0], r.detail?.alreadyDone])).toEqual([
      ['0002', false],
      ['0003', false],
    ]);
    expect(onTask[1]?.durationMs).toBeGreaterThanOrEqual(SLOW_SECONDS * 1000);
    const validated = records.find((r) => r.step === 'Validate' && r.event === 'succeeded');
    expect(validated?.detail?.runner).toBe('lambda');
    expect(taskMetricSteps(await metrics())).toEqual(['Apply', 'Apply']);
  });

  it('backs up on the task runner above the size threshold, and restores on it in the rollback', async () => {
    // A table that is already there, with about 500 KB of rows.
    await query(
      'CREATE SCHEMA app; CREATE TABLE app.items (id bigint PRIMARY KEY, note text NOT NULL);' +
        "INSERT INTO app.items SELECT n, md5(n::text) || repeat('x', 200) FROM generate_series(1, 2000) AS n",
    );
    const notes = "SELECT count(*) AS rows, md5(string_agg(note, ',' ORDER BY id)) AS sum FROM app.items";
    const before = await query<{ rows: string; sum: string }>(notes);

    // The run destroys the notes, then fails; the rollback must bring every row back.
    const result = await run(
      {
        '0001_drop_notes.sql': migration({
          up: '-- lint:allow ban-drop-column the backup keeps the notes\nALTER TABLE app.items DROP COLUMN note;',
          down: "ALTER TABLE app.items ADD COLUMN note text NOT NULL DEFAULT '';\nALTER TABLE app.items ALTER COLUMN note DROP DEFAULT;",
        }),
        '0002_fails.sql': migration({ up: 'SELECT * FROM app.no_such_table;', down: 'SELECT 1;' }),
      },
      // Far below what a 5-second budget copies (about 57 MB), so a 500 KB table crosses it.
      { backupTaskThresholdBytes: 64 * 1024, restoreTaskThresholdBytes: 64 * 1024 },
    );

    expect(result.output?.error).toMatchObject({ name: 'MigrationError', migration: '0002' });
    expect(result.output).toMatchObject({ status: 'rolled_back', rolledBack: ['0001'] });
    expect(result.exitCode).toBe(ExitCode.rolledBack);
    expect(await query<{ rows: string; sum: string }>(notes)).toEqual(before);
    expect(before[0]?.rows).toBe('2000');

    const records = await audit(result.executionId);
    const lines = timeline(records);
    expect(lines).toContain('Backup:succeeded@task');
    expect(lines).toContain('Rollback:succeeded@task');
    expect(lines.some((line) => line.startsWith('Backup') && line.endsWith('@lambda'))).toBe(false);
    expect(lines.some((line) => line.startsWith('Rollback') && line.endsWith('@lambda'))).toBe(false);
    expect(taskMetricSteps(await metrics())).toEqual(expect.arrayContaining(['Backup', 'Rollback']));
  });
});
