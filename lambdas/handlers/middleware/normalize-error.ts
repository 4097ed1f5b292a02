// Retry and Catch match on the thrown error's `name` (on AWS through the Lambda runtime's
// errorType, locally directly), so every error leaving a step must be an Error with a
// meaningful name, and its message must carry no credentials.
import type { MiddlewareObj } from '@middy/core';
import { redactSecrets } from './redact.ts';

function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function normalizeError(thrown: unknown): Error {
  const error = thrown instanceof Error ? thrown : new Error(`non-error thrown: ${describeThrown(thrown)}`);
  // node-postgres names the server's errors "error" (the protocol message's name); a Catch
  // matches its class name, DatabaseError. Set by name, not read off the constructor: the
  // bundles minify class names.
  if (error.name === 'error') error.name = 'DatabaseError';
  else if (!error.name) error.name = 'Error';
  error.message = redactSecrets(error.message);
  if (error.stack) error.stack = redactSecrets(error.stack);
  return error;
}

export function normalizeErrorMiddleware(): MiddlewareObj {
  return {
    onError: async (request) => {
      request.error = normalizeError(request.error);
    },
  };
}
