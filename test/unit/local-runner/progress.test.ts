// What `stepmigrate run` prints while the workflow runs, off a terminal: one plain line per
// finished step, retries and failures named, no escape codes.
import { describe, expect, it } from '@jest/globals';
import type { ExecutionEvent } from '../../../cli/local-runner/execute.ts';
import { progressPrinter } from '../../../cli/local-runner/progress.ts';

function state(type: string, name: string, at: number, extra: Record<string, unknown> = {}): ExecutionEvent {
  return {
    type,
    timestamp: at,
    state: { name, type: extra.stateType ?? 'Task', input: extra.input ?? {}, output: extra.output },
    ...extra,
  } as unknown as ExecutionEvent;
}

function print(events: ExecutionEvent[], tty = false): string {
  let text = '';
  const printer = progressPrinter({ write: (t) => (text += t), tty, colour: false });
  for (const event of events) printer(event);
  return text;
}

/** The line of a Backup that took 5 ms and left `backup` in its output. */
const backupLine = (backup: unknown) =>
  print([state('StateEntered', 'Backup', 0), state('StateExited', 'Backup', 5, { output: { backup } })]);

const run = { plan: { fromVersion: '0003', toVersion: '0005', steps: [{}, {}] }, status: 'pending' };
const step = { step: { version: '0004', name: 'add_email', direction: 'up' } };

describe('progressPrinter', () => {
  it('prints each finished step with its duration and what it did', () => {
    const text = print([
      state('StateEntered', 'Validate', 0),
      state('StateExited', 'Validate', 120, { output: { run } }),
      state('StateEntered', 'HasChanges', 120, { stateType: 'Choice' }),
      state('StateEntered', 'ApplyMigration', 200, { input: step, index: 0 }),
      state('StateExited', 'ApplyMigration', 1700, { input: step, index: 0 }),
    ]);
    expect(text.split('\n')).toEqual([
      '  ✓ Validate      120 ms  0003 → 0005, 2 migration(s)',
      '  ✓ Apply 0004     1.5 s  add_email',
      '',
    ]);
  });

  it('names a retry and a failure with the error', () => {
    const text = print([
      state('StateEntered', 'ApplyMigration', 0, { input: step }),
      {
        ...state('StateFailed', 'ApplyMigration', 3000, { input: step }),
        Error: 'LockTimeoutError',
        Cause: 'lock on app.users\nmore',
      } as ExecutionEvent,
      {
        ...state('StateRetried', 'ApplyMigration', 3100, { input: step }),
        retry: { attempt: 1, retrier: {} },
      } as ExecutionEvent,
    ]);
    expect(text).toContain('✗ Apply 0004     3.0 s  LockTimeoutError\n');
    expect(text).toContain('↻ Apply 0004   retrying (attempt 2) after: lock on app.users\n');
  });

  it('never marks a step ✓ after it failed, and leaves the Fail state to the summary', () => {
    const text = print([
      state('StateEntered', 'Verify', 0),
      {
        ...state('StateFailed', 'Verify', 18),
        Error: 'VerificationFailedError',
        Cause: 'division by zero',
      } as ExecutionEvent,
      state('StateExited', 'Verify', 18, { output: { verify: { verified: [] } } }),
      {
        ...state('StateFailed', 'Failed', 30, { stateType: 'Fail' }),
        Error: 'VerificationFailedError',
        Cause: 'division by zero',
      } as ExecutionEvent,
    ]);
    expect(text.split('\n').filter(Boolean)).toEqual(['  ✗ Verify         18 ms  VerificationFailedError']);
  });

  it('shows the running step on a terminal and replaces it when it ends', () => {
    const text = print(
      [state('StateEntered', 'Backup', 0), state('StateExited', 'Backup', 5, { output: {} })],
      true,
    );
    expect(text).toBe('  … Backup\r\u001b[2K  ✓ Backup          5 ms  no data at risk\n');
  });

  it('names the database snapshot and its status while the workflow waits for it', () => {
    const poll = (status: string) => ({
      databaseSnapshotPoll: {
        identifier: 'stepmigrate-0a1b',
        polls: 0,
        last: { snapshot: { Status: status } },
      },
    });
    const text = print([
      state('StateEntered', 'CreateDatabaseSnapshot', 0),
      state('StateExited', 'CreateDatabaseSnapshot', 80, {
        output: { databaseSnapshotPoll: { identifier: 'stepmigrate-0a1b', polls: 0 } },
      }),
      state('StateEntered', 'DescribeDatabaseSnapshot', 100),
      state('StateExited', 'DescribeDatabaseSnapshot', 130, { output: poll('creating') }),
      state('StateEntered', 'DescribeDatabaseSnapshot', 200),
      state('StateExited', 'DescribeDatabaseSnapshot', 230, { output: poll('available') }),
    ]);
    expect(text).toContain('CreateDatabaseSnapshot   80 ms  stepmigrate-0a1b');
    expect(text).toContain('DescribeDatabaseSnapshot   30 ms  creating');
    expect(text).toContain('DescribeDatabaseSnapshot   30 ms  available');
  });

  it('never says "no data at risk" while an earlier backup holds values a down run leaves behind', () => {
    const backup = {
      tables: [],
      broughtBack: [{ tables: ['shop.customer'] }],
      notBroughtBack: [{ tables: ['shop.film'] }],
    };
    expect(backupLine(backup)).toBe(
      '  ✓ Backup          5 ms  brings back shop.customer from an earlier backup; NOT bringing back shop.film: restore by hand (see the summary)\n',
    );
  });

  it('names its own tables first, then what it brings back from an earlier backup', () => {
    const backup = {
      tables: [{ bytes: 1024 }, { bytes: 1024 }],
      broughtBack: [{ tables: ['shop.customer'] }],
    };
    expect(backupLine(backup)).toBe(
      '  ✓ Backup          5 ms  2 table(s), 2.0 KiB; brings back shop.customer from an earlier backup\n',
    );
  });
});
