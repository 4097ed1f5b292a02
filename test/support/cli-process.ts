// Runs bin/stepmigrate.js as a user would: its own process in a project directory, without
// colour and without the test runner's NODE_OPTIONS (the CLI sets up its own loader).
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'bin', 'stepmigrate.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** What a `--json` command prints: the run's outcome. */
export interface CliJson {
  status?: string;
  error?: { name: string; message: string };
}

/** `env` adds to (or overrides) the test's environment, e.g. STEPMIGRATE_LAUNCH. */
export function startCli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a started process's output until it ends; `ms` counts from `startedAt`. */
export function finishCli(child: ChildProcess, startedAt = Date.now()): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - startedAt }));
  });
}

export function runCli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const startedAt = Date.now();
  return finishCli(startCli(cwd, args, env), startedAt);
}

/** The JSON the command printed, or nothing when it printed none: the exit code says enough. */
export function cliJson(result: CliResult): CliJson {
  try {
    return JSON.parse(result.stdout) as CliJson;
  } catch {
    return {};
  }
}
