// The execution input of DESIGN §1.3, checked once at the edge. The same function runs
// in the Validate step, in `stepmigrate start` before any API call, and in the local
// runner, so all three refuse exactly the same inputs with the same words.
import { InputError } from './errors.ts';
import type { ExecutionInput } from './run-state.ts';

export const INPUT_DEFAULTS = {
  target: 'latest',
  dryRun: false,
  requireApproval: false,
  allowIrreversible: false,
  bakeSeconds: 0,
} as const;

/** Deployment-wide timeouts used when neither the input nor the migration file sets one. */
export const TIMEOUT_DEFAULTS = { lockTimeoutMs: 3000, statementTimeoutMs: 900_000 } as const;

interface IntegerLimits {
  min: number;
  max: number;
}

const integerFields: Record<'lockTimeoutMs' | 'statementTimeoutMs' | 'bakeSeconds', IntegerLimits> = {
  lockTimeoutMs: { min: 1, max: 600_000 },
  statementTimeoutMs: { min: 1, max: 86_400_000 },
  bakeSeconds: { min: 0, max: 86_400 },
};

const booleanFields = ['dryRun', 'requireApproval', 'allowIrreversible'] as const;

// A target names a version, "latest", "0", a Sqitch change (which may contain "/") or "@tag":
// no spaces, no quotes.
const TARGET_PATTERN = /^@?[A-Za-z0-9][A-Za-z0-9_.:@/-]{0,127}$/;
// A database name is used in metric dimensions, audit keys and backup object keys.
const DATABASE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const REQUESTED_BY_MAX = 256;
// Free text, but never control characters: it is printed in e-mails and terminals.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

const KNOWN_FIELDS = new Set<string>([
  'target',
  ...booleanFields,
  ...Object.keys(integerFields),
  'requestedBy',
  'database',
]);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function checkTarget(value: unknown, problems: string[]): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return String(value);
  if (typeof value !== 'string' || !TARGET_PATTERN.test(value)) {
    problems.push(
      `target must be "latest", "0" or a migration version such as "0004", got ${describe(value)}`,
    );
    return undefined;
  }
  return value;
}

function checkInteger(
  field: keyof typeof integerFields,
  value: unknown,
  problems: string[],
): number | undefined {
  const { min, max } = integerFields[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push(`${field} must be a whole number from ${min} to ${max}, got ${describe(value)}`);
    return undefined;
  }
  return value;
}

function checkText(
  field: 'requestedBy' | 'database',
  value: unknown,
  problems: string[],
): string | undefined {
  if (typeof value !== 'string') {
    problems.push(`${field} must be a string, got ${describe(value)}`);
    return undefined;
  }
  if (field === 'database' && !DATABASE_PATTERN.test(value)) {
    problems.push(
      `database must be 1–63 letters, digits, "_", "." or "-" starting with a letter or digit, got ${describe(value)}`,
    );
    return undefined;
  }
  if (field === 'requestedBy' && (value.length > REQUESTED_BY_MAX || CONTROL_CHARACTERS.test(value))) {
    problems.push(`requestedBy must be at most ${REQUESTED_BY_MAX} characters without control characters`);
    return undefined;
  }
  return value;
}

export interface InputExpectations {
  /**
   * The one database this workflow migrates. A `database` field naming any other is refused:
   * the metrics, alarms, lease and secret all belong to this one.
   */
  database?: string;
}

/**
 * Checks raw execution input and fills in defaults. Every problem is reported at once, in
 * one InputError, so a caller fixes the input in one go.
 */
export function parseExecutionInput(raw: unknown, expect: InputExpectations = {}): ExecutionInput {
  const source = raw === undefined || raw === null ? {} : raw;
  if (typeof source !== 'object' || Array.isArray(source)) {
    throw new InputError(`execution input must be a JSON object, got ${describe(raw)}`);
  }
  const fields = source as Record<string, unknown>;
  const problems: string[] = [];
  const unknown = Object.keys(fields).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknown.length > 0) {
    problems.push(
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `"${key.slice(0, 40)}"`).join(', ')} ` +
        `(known: ${[...KNOWN_FIELDS].join(', ')})`,
    );
  }

  const input: ExecutionInput = { ...INPUT_DEFAULTS };
  if (fields.target !== undefined) input.target = checkTarget(fields.target, problems) ?? input.target;
  for (const field of booleanFields) {
    const value = fields[field];
    if (value === undefined) continue;
    if (typeof value === 'boolean') input[field] = value;
    else problems.push(`${field} must be true or false, got ${describe(value)}`);
  }
  for (const field of Object.keys(integerFields) as (keyof typeof integerFields)[]) {
    if (fields[field] === undefined) continue;
    const value = checkInteger(field, fields[field], problems);
    if (value !== undefined) input[field] = value;
  }
  for (const field of ['requestedBy', 'database'] as const) {
    if (fields[field] === undefined) continue;
    const value = checkText(field, fields[field], problems);
    if (value !== undefined) input[field] = value;
  }

  if (input.database !== undefined && expect.database !== undefined && input.database !== expect.database) {
    problems.push(
      `database "${input.database}" is not the database this workflow migrates ("${expect.database}"): ` +
        `leave database out, or start the workflow deployed for "${input.database}"`,
    );
  }

  if (problems.length > 0) {
    throw new InputError(`invalid execution input: ${problems.join('; ')}`);
  }
  return input;
}
