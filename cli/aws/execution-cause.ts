// Step Functions hands errors around as (error, cause) strings. The cause may be plain
// text, a Lambda error object, or our RunOutput (the Fail state after Report carries it).
import type { RunOutput } from '../../lambdas/engine/run-state.ts';

export interface ReadableCause {
  /** The message a person should read. */
  message: string;
  /** The error name inside the cause, when it carries one (Lambda errorType, RunOutput error). */
  errorName?: string;
  /** Set when the cause is a RunOutput. */
  runOutput?: RunOutput;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isRunOutput(value: unknown): value is RunOutput {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { status?: unknown }).status === 'string' &&
    Array.isArray((value as { applied?: unknown }).applied)
  );
}

export function readCause(cause: string | undefined): ReadableCause {
  if (cause === undefined || cause === '') return { message: '' };
  const parsed = parseJson(cause);
  if (isRunOutput(parsed)) {
    return {
      message: parsed.error?.message ?? `run ended ${parsed.status}`,
      errorName: parsed.error?.name,
      runOutput: parsed,
    };
  }
  if (typeof parsed === 'object' && parsed !== null) {
    const lambdaError = parsed as { errorType?: unknown; errorMessage?: unknown };
    if (typeof lambdaError.errorMessage === 'string') {
      return {
        message: lambdaError.errorMessage,
        errorName: typeof lambdaError.errorType === 'string' ? lambdaError.errorType : undefined,
      };
    }
  }
  return { message: cause };
}

export function parseRunOutput(output: string | undefined): RunOutput | undefined {
  if (output === undefined) return undefined;
  const parsed = parseJson(output);
  return isRunOutput(parsed) ? parsed : undefined;
}
