// The execution input of DESIGN §1.3 as kebab-case flags (`--lock-timeout-ms` →
// lockTimeoutMs). Only the flags a user gave become input fields, so the deployed
// defaults stay in charge of the rest; parseExecutionInput then checks the result exactly
// as the Validate step will.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseExecutionInput } from '../lambdas/engine/input.ts';
import type { ExecutionInput } from '../lambdas/engine/run-state.ts';

export interface ExecutionInputFlags {
  target?: string;
  dryRun?: boolean;
  requireApproval?: boolean;
  allowIrreversible?: boolean;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  bakeSeconds?: number;
  requestedBy?: string;
  database?: string;
}

/** A malformed number is a usage error (exit 64); an out-of-range one is refused input (exit 2). */
export function parseWholeNumber(value: string): number {
  if (!/^-?\d+$/.test(value.trim()))
    throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return Number(value);
}

export interface ExecutionInputOptionSet {
  /** `rollback` names its target with `--to` and must not offer `--target`. @default true */
  target?: boolean;
}

export function addExecutionInputOptions(command: Command, set: ExecutionInputOptionSet = {}): Command {
  if (set.target !== false) {
    command.option(
      '--target <version>',
      'apply up to this version, or roll back down to it ("latest", "0", a version)',
    );
  }
  return command
    .option('--dry-run', 'validate and plan only; change nothing')
    .option('--require-approval', 'pause at Approval until someone approves')
    .option('--allow-irreversible', 'allow migrations whose down section is "irreversible"')
    .addOption(new Option('--lock-timeout-ms <ms>', 'lock_timeout per statement').argParser(parseWholeNumber))
    .addOption(
      new Option('--statement-timeout-ms <ms>', 'statement_timeout per statement').argParser(
        parseWholeNumber,
      ),
    )
    .addOption(
      new Option('--bake-seconds <s>', 'after Verify, watch the configured alarms this long').argParser(
        parseWholeNumber,
      ),
    )
    .option('--requested-by <text>', 'who or what asked for this run (recorded in the audit log)')
    .option(
      '--database <name>',
      "the workflow's database; any other name is refused (one workflow per database)",
    );
}

const FIELDS = [
  'target',
  'dryRun',
  'requireApproval',
  'allowIrreversible',
  'lockTimeoutMs',
  'statementTimeoutMs',
  'bakeSeconds',
  'requestedBy',
  'database',
] as const satisfies readonly (keyof ExecutionInputFlags)[];

/**
 * The input to send: the fields given on the command line, checked. Throws InputError
 * naming every problem before anything is sent.
 */
export function executionInputFromFlags(flags: ExecutionInputFlags): {
  raw: Partial<ExecutionInput>;
  parsed: ExecutionInput;
} {
  const raw: Record<string, unknown> = {};
  for (const field of FIELDS) if (flags[field] !== undefined) raw[field] = flags[field];
  const parsed = parseExecutionInput(raw);
  return { raw: raw as Partial<ExecutionInput>, parsed };
}
