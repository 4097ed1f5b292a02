// Reads what every audit record and metric needs from any step's event or result,
// without knowing which step it is.
import type { RunState } from '../../engine/run-state.ts';
import type { StepEvent } from '../events.ts';

export interface StepFacts {
  executionId: string;
  database: string;
  migrations: string[];
  requestedBy?: string;
}

function isRunState(value: unknown): value is RunState {
  // RunOutput (Report's result) also has plan and executionId; only a RunState has input.
  return (
    typeof value === 'object' &&
    value !== null &&
    'plan' in value &&
    'input' in value &&
    'fingerprintBefore' in value
  );
}

/** The run the event is about: its own `run`, the state's, or (after Validate) the result. */
export function runOf(event: StepEvent, result?: unknown): RunState | undefined {
  if (isRunState(event.run)) return event.run;
  if (isRunState(event.state?.run)) return event.state.run;
  return isRunState(result) ? result : undefined;
}

function inputText(input: unknown, field: 'requestedBy' | 'database'): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const value = (input as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

export function stepFacts(event: StepEvent, fallbackDatabase: string, result?: unknown): StepFacts {
  const run = runOf(event, result);
  const input = event.input ?? event.executionInput;
  const migrations = event.step ? [event.step.version] : (run?.plan.steps.map((s) => s.version) ?? []);
  const facts: StepFacts = {
    executionId: event.executionId ?? run?.executionId ?? 'unknown',
    database: run?.database ?? inputText(input, 'database') ?? fallbackDatabase,
    migrations,
  };
  const requestedBy = run?.input.requestedBy ?? inputText(input, 'requestedBy');
  if (requestedBy !== undefined) facts.requestedBy = requestedBy;
  return facts;
}
