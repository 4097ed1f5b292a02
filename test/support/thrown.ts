// The InputError a call throws, for tests that read its message, file and line; fails the
// test when the call does not throw one.
import { InputError } from '../../lambdas/engine/errors.ts';

export function thrownInputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}
