// `stepmigrate run`: runs the real state machine definition locally, step by step, with
// live progress, against the embedded PostgreSQL or the database named.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { LocalApprovalMode } from '../../lambdas/adapters/local-approval.ts';
import type { ExitCode } from '../../lambdas/engine/errors.ts';
import { localUser } from '../aws/requester.ts';
import {
  addExecutionInputOptions,
  type ExecutionInputFlags,
  type ExecutionInputOptionSet,
  executionInputFromFlags,
} from '../input-flags.ts';
import { addLocalOptions, type LocalOptions, resolveDatabaseUrl } from '../local/project.ts';
import { projectRoot } from '../local/project-root.ts';
import { interruptOnSignals } from '../local-runner/interrupt.ts';
import { progressPrinter } from '../local-runner/progress.ts';
import { type LocalRunResult, runWorkflowLocally } from '../local-runner/run-workflow.ts';
import { summaryLines } from '../local-runner/summary.ts';
import { lineWidth, printJson, useColour, wrapText } from '../output.ts';

export interface RunOptions extends LocalOptions, ExecutionInputFlags {
  /** Answer an Approval step with yes. */
  approve?: boolean;
  /** Keep the other tool's history table (flyway_schema_history, schema_migrations) up to date too. */
  keepToolHistory?: boolean;
}

function approvalMode(options: RunOptions): LocalApprovalMode {
  if (options.approve) return 'approve';
  return process.stdin.isTTY && process.stderr.isTTY && !options.json ? 'ask' : 'refuse';
}

/** Runs the workflow locally and prints its progress and outcome; returns the exit code. */
export async function runCommand(options: RunOptions): Promise<ExitCode> {
  const { raw } = executionInputFromFlags({ requestedBy: `${localUser()}@local`, ...options });
  const projectDir = projectRoot(options.migrations);
  const tty = Boolean(process.stdout.isTTY);
  const colour = useColour(process.stdout);
  const write = (text: string) => process.stdout.write(text);
  const interrupt = interruptOnSignals((line) => process.stderr.write(`${line}\n`));
  const result: LocalRunResult = await runWorkflowLocally({
    interrupt: interrupt.signal,
    onCancellable: interrupt.setCancel,
    projectDir,
    migrationsDir: resolve(options.migrations),
    layout: options.layout,
    databaseUrl: await resolveDatabaseUrl(options, projectDir),
    approval: approvalMode(options),
    keepToolHistory: options.keepToolHistory,
    input: raw,
    onEvent: interrupt.follow(options.json ? undefined : progressPrinter({ write, tty, colour })),
    onStart: ({ executionId, fromCache, synthMs }) => {
      if (options.json) return;
      const definition = fromCache ? 'cached definition' : `definition synthesized in ${synthMs} ms`;
      write(`stepmigrate run ${executionId} (${definition})\n`);
    },
  }).finally(() => interrupt.dispose());
  if (options.json) {
    printJson(
      result.output ?? {
        status: 'failed',
        error: { name: result.failure?.error, message: result.failure?.cause },
      },
    );
  } else if (result.output) {
    for (const line of summaryLines(result.output, result.durationMs, { colour }))
      for (const part of wrapText(line, lineWidth(process.stdout), '    ')) write(`${part}\n`);
  } else {
    write(`the workflow ended before Report: ${result.failure?.error}: ${result.failure?.cause}\n`);
  }
  return result.exitCode;
}

export function addRunOptions(command: Command, set: ExecutionInputOptionSet = {}): Command {
  return addLocalOptions(addExecutionInputOptions(command, set))
    .option(
      '--approve',
      'answer an Approval step with yes (otherwise asked on a terminal, refused elsewhere)',
    )
    .option(
      '--keep-tool-history',
      "also keep the previous tool's table (flyway_schema_history, schema_migrations) up to date, so you can switch back (stepmigrate.json: adopt.keepToolHistory)",
    );
}

export function register(program: Command): void {
  const command = program
    .command('run')
    .description(
      'run the workflow locally — the synthesized state machine definition, step by step, with live progress',
    );
  addRunOptions(command).action(async (options: RunOptions) => {
    process.exitCode = await runCommand(options);
  });
}
