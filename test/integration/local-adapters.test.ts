// The file-backed ports of local runs: the audit log reads back newest first with filters,
// metrics keep what CloudWatch would, alarm states come from a file a developer edits, and
// an approval is never granted by default.
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { LocalAlarmReader } from '../../lambdas/adapters/local-alarms.ts';
import { LocalApproval } from '../../lambdas/adapters/local-approval.ts';
import { LocalAuditLog } from '../../lambdas/adapters/local-audit-log.ts';
import { LocalMetrics } from '../../lambdas/adapters/local-metrics.ts';
import type { ApprovalRequest, AuditRecord } from '../../lambdas/ports.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stepmigrate-local-adapters-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (executionId: string, database: string, at: string): AuditRecord => ({
  executionId,
  database,
  step: 'Validate',
  event: 'started',
  at,
});

describe('LocalAuditLog', () => {
  it('lists newest first, filtered by database and execution, up to the limit', async () => {
    const log = LocalAuditLog.forProject(dir);
    await log.append(record('e1', 'orders', '2026-01-01T00:00:00Z'));
    await log.append(record('e2', 'orders', '2026-01-02T00:00:00Z'));
    await log.append(record('e3', 'billing', '2026-01-03T00:00:00Z'));

    expect((await log.list({})).map((r) => r.executionId)).toEqual(['e3', 'e2', 'e1']);
    expect((await log.list({ database: 'orders' })).map((r) => r.executionId)).toEqual(['e2', 'e1']);
    expect((await log.list({ executionId: 'e1' })).map((r) => r.executionId)).toEqual(['e1']);
    expect((await log.list({ limit: 1 })).map((r) => r.executionId)).toEqual(['e3']);
  });

  it('matches the filtered fields exactly, not a value that only appears elsewhere in a record', async () => {
    const log = LocalAuditLog.forProject(dir);
    await log.append(record('e1', 'orders', '2026-01-01T00:00:00Z'));
    await log.append({ ...record('e10', 'e1', '2026-01-02T00:00:00Z'), detail: { note: 'e1' } });
    await log.append(record('e"1', 'orders', '2026-01-03T00:00:00Z'));
    expect((await log.list({ executionId: 'e1' })).map((r) => r.executionId)).toEqual(['e1']);
    expect((await log.list({ executionId: 'e"1' })).map((r) => r.executionId)).toEqual(['e"1']);
    expect((await log.list({ database: 'e1' })).map((r) => r.executionId)).toEqual(['e10']);
  });

  it('reads an empty log when there is no file, and skips a line torn by a crash', async () => {
    const log = LocalAuditLog.forProject(dir);
    expect(await log.list({})).toEqual([]);
    await log.append(record('e1', 'orders', '2026-01-01T00:00:00Z'));
    await appendFile(log.file, '{"executionId":"e2","datab');
    expect((await log.list({})).map((r) => r.executionId)).toEqual(['e1']);
  });
});

describe('LocalMetrics', () => {
  it('records each datum with its namespace and time', async () => {
    const metrics = LocalMetrics.forProject(dir);
    await metrics.put([
      { name: 'RunSucceeded', value: 1, unit: 'Count', dimensions: { Database: 'orders' } },
    ]);
    const [recorded] = await metrics.readAll();
    expect(recorded).toMatchObject({
      namespace: 'StepMigrate',
      name: 'RunSucceeded',
      value: 1,
      dimensions: { Database: 'orders' },
    });
    expect(Date.parse(recorded?.at ?? '')).not.toBeNaN();
  });
});

describe('LocalAlarmReader', () => {
  it('reports the named alarms that are in ALARM, and none without a file', async () => {
    const reader = new LocalAlarmReader(join(dir, 'alarms.json'));
    expect(await reader.alarmsInAlarm(['HighErrors'])).toEqual([]);
    await writeFile(reader.file, JSON.stringify({ HighErrors: 'ALARM', Latency: 'OK', Other: 'ALARM' }));
    expect(await reader.alarmsInAlarm(['HighErrors', 'Latency'])).toEqual(['HighErrors']);
  });

  it('refuses a malformed file with its name and the expected shape', async () => {
    const reader = new LocalAlarmReader(join(dir, 'alarms.json'));
    await writeFile(reader.file, '["HighErrors"]');
    await expect(reader.alarmsInAlarm(['HighErrors'])).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('must be a JSON object of alarm states'),
    });
  });
});

describe('LocalApproval', () => {
  const request = {
    taskToken: 't',
    executionId: 'e1',
    database: 'orders',
    plan: {
      fromVersion: '0003',
      toVersion: '0004',
      direction: 'up',
      steps: [{ version: '0004', name: 'add_email', direction: 'up' }],
      affectedTables: [],
      backupTables: ['app.users'],
      findings: [],
    },
  } as ApprovalRequest;

  it('approves with --approve, and refuses without a terminal, saying how to approve', async () => {
    await expect(new LocalApproval({ mode: 'approve' }).requestApproval(request)).resolves.toBeUndefined();
    await expect(new LocalApproval({ mode: 'refuse' }).requestApproval(request)).rejects.toMatchObject({
      name: 'ApprovalRejectedError',
      message: expect.stringContaining('--approve'),
    });
  });

  it('asks with the plan; a no refuses', async () => {
    const questions: string[] = [];
    const ask = (answer: boolean) => async (question: string) => {
      questions.push(question);
      return answer;
    };
    await expect(
      new LocalApproval({ mode: 'ask', ask: ask(true) }).requestApproval(request),
    ).resolves.toBeUndefined();
    await expect(
      new LocalApproval({ mode: 'ask', ask: ask(false) }).requestApproval(request),
    ).rejects.toMatchObject({
      name: 'ApprovalRejectedError',
    });
    expect(questions[0]).toContain('apply 0004_add_email');
    expect(questions[0]).toContain('backup first: app.users');
  });
});
