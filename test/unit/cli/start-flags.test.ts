// The thin `register` wiring: flags reach parseExecutionInput, and a malformed flag is a
// usage error before anything else runs.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { main } from '../../../cli/main.ts';

describe('stepmigrate start flags', () => {
  let stderr: string[];

  beforeEach(() => {
    stderr = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
  });

  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('exits 64 for a flag that is not a number', async () => {
    const code = await main(['start', '--state-machine', 'orders-migrations', '--lock-timeout-ms', 'abc']);

    expect(code).toBe(64);
    expect(stderr.join('')).toContain('expected a whole number, got "abc"');
  });

  it('exits 2 for input the workflow would refuse, naming every problem', async () => {
    const code = await main([
      'start',
      '--state-machine',
      'arn:aws:states:eu-west-1:123456789012:stateMachine:orders-migrations',
      '--lock-timeout-ms',
      '0',
      '--database',
      'orders prod',
    ]);

    expect(code).toBe(2);
    expect(stderr.join('')).toMatch(
      /InputError: invalid execution input: lockTimeoutMs .*; database must be/,
    );
  });
});
