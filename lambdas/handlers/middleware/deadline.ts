// A Lambda that reaches its timeout is killed mid-statement: no Catch runs in it, a
// non-transactional section is left half-done without the message that says where, and
// the execution only learns of it as States.Timeout. This middleware cancels the step's
// running statements shortly before the deadline instead, so the step fails cleanly with a
// MigrationError the workflow can roll back from.
import type { MiddlewareObj } from '@middy/core';
import {
  DeadlineReachedError,
  MigrationError,
  messageOf,
  RollbackFailedError,
  StepMigrateError,
} from '../../engine/errors.ts';
import type { StepName } from '../../ports.ts';
import type { StepEvent } from '../events.ts';

/** How long before the Lambda deadline the running statements are cancelled. */
export const DEADLINE_MARGIN_MS = 10_000;

export interface DeadlineOptions {
  step: StepName;
  /** Cancels the statements the step is running; returns the server pids signalled. */
  cancel(): Promise<number[]>;
  log(line: string): void;
  /** @default DEADLINE_MARGIN_MS */
  marginMs?: number;
  /** Whether the cancelled work can go to the task runner (DeadlineReachedError) instead of failing. */
  handOver?(event: StepEvent): Promise<boolean>;
}

interface LambdaContextLike {
  getRemainingTimeInMillis?: () => number;
}

/** After the first cancel, how often to cancel again: a step may start another statement. */
const RECANCEL_INTERVAL_MS = 1000;

interface Armed {
  timer: NodeJS.Timeout;
  repeat?: NodeJS.Timeout;
  fired?: { pids: number[]; remainingMs: number };
}

export function deadlineMiddleware(options: DeadlineOptions): MiddlewareObj<StepEvent, unknown> {
  const margin = options.marginMs ?? DEADLINE_MARGIN_MS;
  const armed = new WeakMap<object, Armed>();

  const disarm = (request: object): Armed | undefined => {
    const entry = armed.get(request);
    if (entry) {
      clearTimeout(entry.timer);
      clearInterval(entry.repeat);
    }
    armed.delete(request);
    return entry;
  };

  return {
    before: async (request) => {
      const remaining = (request.context as LambdaContextLike | undefined)?.getRemainingTimeInMillis;
      if (typeof remaining !== 'function') return; // local runs have no deadline
      const entry: Armed = {
        timer: setTimeout(
          () => {
            const remainingMs = remaining.call(request.context);
            entry.fired = { pids: [], remainingMs };
            options
              .cancel()
              .then((pids) => {
                entry.fired = { pids, remainingMs };
                options.log(
                  `${options.step}: ${remainingMs} ms left before the Lambda timeout; cancelled the statements of server process(es) ${pids.join(', ') || '(none running)'}`,
                );
              })
              .catch((error: unknown) =>
                options.log(`${options.step}: could not cancel the running statements: ${String(error)}`),
              );
            // A statement started after this cancel (the next one of a section) must not run
            // into the hard timeout either.
            entry.repeat = setInterval(() => {
              options.cancel().catch(() => undefined);
            }, RECANCEL_INTERVAL_MS);
            entry.repeat.unref?.();
          },
          Math.max(0, remaining.call(request.context) - margin),
        ),
      };
      entry.timer.unref?.();
      armed.set(request, entry);
    },
    after: async (request) => {
      disarm(request);
    },
    onError: async (request) => {
      const entry = disarm(request);
      if (!entry?.fired) return;
      const handOver = await (options.handOver?.(request.event) ?? Promise.resolve(false)).catch(() => false);
      request.error = handOver
        ? handedOverError(options.step, entry.fired.remainingMs, request.error)
        : cancelledError(options.step, entry.fired.remainingMs, request.error);
    },
  };
}

function cancelledError(step: StepName, remainingMs: number, error: unknown): Error {
  const reason = messageOf(error);
  const message =
    `${step} cancelled its running statement ${Math.round(remainingMs / 1000)} s before the Lambda timeout, ` +
    `to fail cleanly instead of being killed mid-statement (${reason}) — raise the step's Lambda timeout ` +
    'or the statement is too slow for one invocation: split the migration';
  const context =
    error instanceof StepMigrateError
      ? { migration: error.migration, file: error.file, line: error.line, column: error.column, cause: error }
      : { cause: error };
  // Rollback's failures stay RollbackFailedError: they need a person either way.
  return error instanceof RollbackFailedError
    ? new RollbackFailedError(message, context)
    : new MigrationError(message, context);
}

function handedOverError(step: StepName, remainingMs: number, error: unknown): Error {
  const migration = error instanceof StepMigrateError ? error.migration : undefined;
  return new DeadlineReachedError(
    `${step} reached its Lambda deadline and cancelled its work ${Math.round(remainingMs / 1000)} s before the ` +
      `timeout, leaving nothing half-done (${messageOf(error)}); the workflow runs it again on the task runner ` +
      '(without one it is rolled back: deploy the task runner, or split the migration)',
    { migration, cause: error },
  );
}
