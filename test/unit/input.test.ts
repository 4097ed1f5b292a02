import { describe, expect, it } from '@jest/globals';
import { InputError } from '../../lambdas/engine/errors.ts';
import { INPUT_DEFAULTS, parseExecutionInput } from '../../lambdas/engine/input.ts';

function problemsOf(raw: unknown): string {
  try {
    parseExecutionInput(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected the input to be refused');
}

describe('parseExecutionInput', () => {
  it('fills every default for an empty input', () => {
    expect(parseExecutionInput({})).toEqual(INPUT_DEFAULTS);
    expect(parseExecutionInput(undefined)).toEqual(INPUT_DEFAULTS);
  });

  it('keeps the fields it is given', () => {
    const input = parseExecutionInput({
      target: '0004',
      dryRun: true,
      lockTimeoutMs: 500,
      requestedBy: 'pipeline 8f2c',
      database: 'orders-prod',
    });
    expect(input).toMatchObject({
      target: '0004',
      dryRun: true,
      lockTimeoutMs: 500,
      database: 'orders-prod',
    });
    expect(input.statementTimeoutMs).toBeUndefined();
  });

  it('accepts a numeric target and "0"', () => {
    expect(parseExecutionInput({ target: 3 }).target).toBe('3');
    expect(parseExecutionInput({ target: '0' }).target).toBe('0');
    expect(parseExecutionInput({ target: '@v1.0' }).target).toBe('@v1.0');
  });

  it('names unknown fields', () => {
    expect(problemsOf({ targt: 'latest' })).toContain('unknown field "targt"');
  });

  it('reports every problem together', () => {
    const message = problemsOf({ dryRun: 'yes', lockTimeoutMs: -1, bakeSeconds: 1.5 });
    expect(message).toContain('dryRun must be true or false, got "yes"');
    expect(message).toContain('lockTimeoutMs must be a whole number from 1');
    expect(message).toContain('bakeSeconds must be a whole number from 0');
  });

  it.each([
    ['SQL in the target', { target: "0004'; DROP TABLE users; --" }, 'target must be'],
    ['shell metacharacters in database', { database: 'prod;rm -rf /' }, 'database must be'],
    ['control characters in requestedBy', { requestedBy: 'ci\u001b[31m' }, 'requestedBy must be'],
    ['an oversized requestedBy', { requestedBy: 'x'.repeat(300) }, 'requestedBy must be at most 256'],
    ['a non-object input', ['latest'], 'must be a JSON object'],
  ])('refuses %s', (_case, raw, expected) => {
    expect(problemsOf(raw)).toContain(expected);
  });
});
