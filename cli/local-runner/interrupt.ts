// What SIGINT (Ctrl-C) and SIGTERM (a CI cancel, `docker stop`, `kill`) do to a local run.
// The first signal cancels the running statement (pg_cancel_backend from a second
// connection): the step fails, and the workflow rolls back what this run applied, releases
// the lease and reports, as on any failure. A second signal cancels whatever runs then
// (the rollback's statement), says plainly what state it leaves, and exits: no statement is
// left running on the server, and the dead process's lease is taken over by the next run.
import { ExitCode } from '../../lambdas/engine/errors.ts';
import type { ExecutionEvent } from './execute.ts';

export interface RunInterrupt {
  /** Aborted by the first signal. */
  signal: AbortSignal;
  setCancel(cancelRunning: () => Promise<number[]>): void;
  /** Wraps the progress printer, to know which step runs and what was applied. */
  follow(onEvent?: (event: ExecutionEvent) => void): (event: ExecutionEvent) => void;
  dispose(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** The plain words for where a forced stop leaves the database. */
export function forcedStopState(step: string | undefined, applied: readonly string[]): string {
  const changed =
    applied.length > 0 ? `this run had applied ${applied.join(' ')}` : 'this run had applied nothing';
  const where = step ? `during ${step}` : 'between steps';
  return (
    `stopped ${where}, before the workflow finished: ${changed}. No statement of this run is still running. ` +
    'Run `stepmigrate status` to see what is applied and dirty (a dirty migration says what to repair); ' +
    'the lease of this process is taken over by the next run.'
  );
}

export function interruptOnSignals(say: (line: string) => void): RunInterrupt {
  const controller = new AbortController();
  let cancelRunning: (() => Promise<number[]>) | undefined;
  let step: string | undefined;
  const applied: string[] = [];
  let forcing = false;

  const onSignal = (name: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      say(
        `${name}: cancelling the running statement; the workflow rolls back what this run applied and frees the lease (${name === 'SIGINT' ? 'Ctrl-C' : 'signal'} again to stop the rollback too)`,
      );
      controller.abort(); // the run's listener cancels the running statement
      return;
    }
    if (forcing) return;
    forcing = true;
    const cancel = cancelRunning ? cancelRunning() : Promise.resolve([]);
    cancel
      .catch((error: unknown) => {
        say(`could not cancel the running statement (${String(error)}); it may still run on the server`);
        return [];
      })
      .then(() => {
        say(forcedStopState(step, applied));
        process.exit(step === 'Validate' || step === 'Approval' ? ExitCode.refused : ExitCode.rollbackFailed);
      });
  };

  for (const name of SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    setCancel: (fn) => {
      cancelRunning = fn;
    },
    follow: (onEvent) => (event) => {
      if ('state' in event && event.state.type === 'Task') {
        if (event.type === 'StateEntered') step = event.state.name;
        if (event.type === 'StateExited' && event.state.name === 'ApplyMigration') {
          const version = (event.state.input as { step?: { version?: string; direction?: string } } | null)
            ?.step;
          if (version?.version && version.direction !== 'down') applied.push(version.version);
        }
      }
      onEvent?.(event);
    },
    dispose: () => {
      for (const name of SIGNALS) process.off(name, onSignal);
    },
  };
}
