// DESIGN §3 "Bad input gets a clear error naming what was wrong": hundreds of generated bad
// execution inputs and malformed migration files. Every one is refused with an InputError
// whose message names the problem; none escapes as another kind of exception.
import { describe, expect, it } from '@jest/globals';
import { InputError } from '../../lambdas/engine/errors.ts';
import { parseExecutionInput } from '../../lambdas/engine/input.ts';
import { buildNativeSet } from '../../lambdas/engine/loader/native-set.ts';
import { badExecutionInputs, badMigrationSets } from '../support/fuzz-cases.ts';

const inputs = badExecutionInputs();
const migrationSets = badMigrationSets();

function refusal(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError, but the input was accepted');
}

describe('execution input fuzz', () => {
  it('generates at least 200 bad inputs', () => {
    expect(inputs.length).toBeGreaterThanOrEqual(200);
  });

  it.each(inputs.map((c) => [c.label, c] as const))('refuses %s', (_label, { input, names }) => {
    const error = refusal(() => parseExecutionInput(input));
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(names);
    // The message quotes at most a short excerpt of what it got, never a megabyte of it.
    expect(error.message.length).toBeLessThan(2000);
  });

  it('names every problem of an input at once', () => {
    const error = refusal(() =>
      parseExecutionInput({
        lockTimeoutMs: 0,
        dryRun: 'no',
        database: 'a;b',
        requestedBy: 'x\ny',
        sql: 'DROP',
      }),
    );
    for (const field of ['lockTimeoutMs', 'dryRun', 'database', 'requestedBy', '"sql"']) {
      expect(error.message).toContain(field);
    }
  });

  it('accepts free-text requestedBy with shell and SQL characters: it is data, never executed', () => {
    const requestedBy = "'; DROP TABLE app.users; -- $(rm -rf /) `id`";
    expect(parseExecutionInput({ requestedBy }).requestedBy).toBe(requestedBy);
  });
});

describe('migration file fuzz', () => {
  it('generates at least 50 malformed migration sets covering every loader problem', () => {
    expect(migrationSets.length).toBeGreaterThanOrEqual(50);
  });

  it.each(migrationSets.map((c) => [c.label, c] as const))(
    'refuses %s',
    (_label, { files, expect: words }) => {
      const sources = Object.entries(files).map(([name, text]) => ({ name, text }));
      const error = refusal(() => buildNativeSet('migrations', sources));
      expect(error.message).toMatch(words);
      expect(error.file).toBeDefined();
    },
  );
});
