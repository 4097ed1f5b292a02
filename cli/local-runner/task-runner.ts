// The local side of the task runner: each task-runner state of the definition (BackupOnTask,
// ApplyMigrationOnTask, RollbackOnTask) is bound to a handler that runs the task's entry point
// as a SEPARATE PROCESS, with the container environment the state sets on RunTask. The process
// answers the task token on file descriptor 3 (what SendTaskSuccess/Failure do on AWS).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { TASK_RUNNER_STATES } from '../../infra/task-contract.ts';
import { PROJECT_ROOT } from './definition-cache.ts';
import type { AslDefinition } from './resolve-definition.ts';
import { allStates } from './resolve-definition.ts';
import type { LocalTaskHandler } from './task-handlers.ts';
import { InterruptedError } from './task-handlers.ts';

/** The local run's settings the task process needs to build the same local dependencies. */
export interface LocalTaskSettings {
  projectDir: string;
  migrationsDir: string;
  layout?: string;
  databaseUrl: string;
  historySchema?: string;
  bakeAlarmNames?: readonly string[];
  /** Runner limits, so the task process plans like the run did. */
  lambdaBudgetMs?: number;
  backupTaskThresholdBytes?: number;
  restoreTaskThresholdBytes?: number;
}

/** The part of a local run's settings the task process needs (no functions, no log sink). */
export function localTaskSettings(run: LocalTaskSettings): LocalTaskSettings {
  const settings: LocalTaskSettings = {
    projectDir: run.projectDir,
    migrationsDir: run.migrationsDir,
    databaseUrl: run.databaseUrl,
  };
  for (const key of [
    'layout',
    'historySchema',
    'bakeAlarmNames',
    'lambdaBudgetMs',
    'backupTaskThresholdBytes',
    'restoreTaskThresholdBytes',
  ] as const) {
    if (run[key] !== undefined) Object.assign(settings, { [key]: run[key] });
  }
  return settings;
}

/** Environment variable that carries LocalTaskSettings to the task process (never printed). */
export const LOCAL_TASK_SETTINGS_ENV = 'STEPMIGRATE_LOCAL_TASK_SETTINGS';
/** Starts task-process-main.ts compiled when dist/ is up to date, through tsx otherwise (cli-build/launch.js). */
const TASK_PROCESS = join(PROJECT_ROOT, 'bin', 'task-process.js');

export interface LocalTaskRunnerOptions {
  settings: LocalTaskSettings;
  interrupt?: AbortSignal;
  /** Lines the task process writes to stderr (its engine log); default: dropped. */
  log?(line: string): void;
}

interface ContainerOverrides {
  Overrides?: { ContainerOverrides?: Array<{ Environment?: Array<{ Name: string; Value: unknown }> }> };
}

type TaskAnswer =
  | { type: 'heartbeat' }
  | { type: 'succeeded'; output: unknown }
  | { type: 'failed'; error: { name: string; message: string } };

class TaskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

function containerEnvironment(input: unknown): Record<string, string> {
  const overrides = (input as ContainerOverrides | null)?.Overrides?.ContainerOverrides ?? [];
  return Object.fromEntries(
    overrides
      .flatMap((o) => o.Environment ?? [])
      .map((e) => [e.Name, typeof e.Value === 'string' ? e.Value : JSON.stringify(e.Value)]),
  );
}

const JSON_TO_STRING = /^States\.JsonToString\((.+)\)$/;

/**
 * aws-local-stepfunctions 3.0.0 evaluates States.JsonToString without escaping (a quote or a
 * newline inside a string breaks the JSON). For the task-runner states only, the local
 * definition passes the path's value as it is and the handler serialises it, which is what
 * States.JsonToString gives on AWS. The deployed definition is not touched.
 */
export function withLocalJsonToString(definition: AslDefinition): AslDefinition {
  // A JSON copy, not structuredClone: under jest's VM realms a structured clone's objects fail
  // the emulator's plain-object checks and every Parameters path is left unevaluated.
  const copy = JSON.parse(JSON.stringify(definition)) as AslDefinition;
  for (const [name, state] of allStates(copy)) {
    if (TASK_RUNNER_STATES[name] === undefined) continue;
    const overrides =
      (state.Parameters as ContainerOverrides | undefined)?.Overrides?.ContainerOverrides ?? [];
    for (const variable of overrides.flatMap((o) => o.Environment ?? []) as Array<Record<string, unknown>>) {
      const path = JSON_TO_STRING.exec(String(variable['Value.$'] ?? ''))?.[1];
      if (path !== undefined) variable['Value.$'] = path;
    }
  }
  return copy;
}

/** Runs one task process to its end and returns its answer. */
export function runTaskProcess(
  environment: Record<string, string>,
  options: LocalTaskRunnerOptions,
): Promise<unknown> {
  const child = spawn(process.execPath, [TASK_PROCESS], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...environment, [LOCAL_TASK_SETTINGS_ENV]: JSON.stringify(options.settings) },
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C on the terminal lets the current step finish (as for the
    // in-process steps) instead of killing the task mid-statement.
    detached: true,
  });
  let answer: TaskAnswer | undefined;
  let pending = '';
  const stderrTail: string[] = [];
  child.stdio[3]?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      const message = JSON.parse(line) as TaskAnswer;
      if (message.type !== 'heartbeat') answer = message;
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      options.log?.(line);
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (answer?.type === 'succeeded') resolve(answer.output);
      else if (answer?.type === 'failed') reject(new TaskError(answer.error.name, answer.error.message));
      // On AWS a task that dies without answering fails its state by the heartbeat timeout.
      else
        reject(
          new TaskError(
            'States.HeartbeatTimeout',
            `the task process ended (${signal ?? `exit ${code}`}) without answering its task token: ${stderrTail.join(' | ')}`,
          ),
        );
    });
  });
}

/** A handler for every task-runner state the definition has, keyed by state name. */
export function localTaskRunnerHandlers(
  definition: AslDefinition,
  options: LocalTaskRunnerOptions,
): Record<string, LocalTaskHandler> {
  const handlers: Record<string, LocalTaskHandler> = {};
  for (const [name] of allStates(definition)) {
    const step = TASK_RUNNER_STATES[name];
    if (step === undefined) continue;
    handlers[name] = async (input) => {
      // As for the Lambda steps: after an interrupt only Rollback still runs.
      if (step !== 'rollback' && options.interrupt?.aborted) throw new InterruptedError(name);
      return (await runTaskProcess(containerEnvironment(input), options)) as never;
    };
  }
  return handlers;
}
