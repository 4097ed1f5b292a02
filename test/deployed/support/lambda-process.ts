// Runs a deployed step function the way the Lambda runtime does, as far as a test can:
// its asset copied into a directory with no node_modules above it (its /var/task), a fresh
// `node` process per invocation with exactly the environment the template gives the function
// (plus what the runtime itself sets), a context whose deadline is the function's timeout,
// and the process killed when the timeout passes. A thrown error comes back the way the
// Lambda service reports it to Step Functions: errorType and a Cause of the runtime's JSON.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_REGION } from '../../../cli/local-runner/resolve-definition.ts';
import type { DeployedFunction } from './template.ts';

// The runtime's part: load the handler (timed: that is the cold start), call it once, write
// the result or the error where the test reads it.
const BOOTSTRAP = `
import { readFileSync, writeFileSync } from 'node:fs';
const [taskDir, eventFile, resultFile, deadline] = process.argv.slice(1);
const started = performance.timeOrigin;
const { handler } = await import(taskDir + '/index.mjs');
const importedAt = Date.now();
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  awsRequestId: 'req-' + importedAt,
  getRemainingTimeInMillis: () => Number(deadline) - Date.now(),
};
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
try {
  const result = await handler(event, context);
  writeFileSync(resultFile, JSON.stringify({ started, importedAt, result: result ?? null }));
} catch (error) {
  writeFileSync(resultFile, JSON.stringify({ started, importedAt, error: {
    errorType: error?.name ?? 'Error', errorMessage: error?.message ?? String(error),
    trace: String(error?.stack ?? '').split('\\n') } }));
}
process.exit(0);
`;

export class LambdaFunctionError extends Error {
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
    cause: string,
  ) {
    super(cause);
    this.name = errorType;
  }
}

export interface Invocation {
  functionId: string;
  /** Process start to handler loaded (ms): the cold start of this invocation. */
  coldStartMs: number;
  durationMs: number;
  output: string;
}

export class DeployedLambda {
  readonly invocations: Invocation[] = [];
  /** Runtime paths the template names, mapped to files of this machine (e.g. the CA bundle). */
  paths: Record<string, string> = {};
  private constructor(
    readonly fn: DeployedFunction,
    readonly taskDir: string,
    private readonly baseEnv: Record<string, string>,
  ) {}

  /** Copies the asset into a fresh task directory. */
  static async install(fn: DeployedFunction, runtimeEnv: Record<string, string>): Promise<DeployedLambda> {
    const taskDir = await mkdtemp(join(tmpdir(), `stepmigrate-task-${fn.logicalId.slice(0, 24)}-`));
    await cp(fn.assetDir, taskDir, { recursive: true });
    return new DeployedLambda(fn, taskDir, runtimeEnv);
  }

  /** The template's variables, /var/task and /var/runtime paths mapped to this machine. */
  environment(
    overrides: Record<string, string> = {},
    paths: Record<string, string> = {},
  ): Record<string, string> {
    const mapPath = (value: string) => {
      for (const [from, to] of Object.entries({ '/var/task': this.taskDir, ...paths }))
        if (value === from || value.startsWith(`${from}/`)) return to + value.slice(from.length);
      return value;
    };
    const template = Object.fromEntries(
      Object.entries(this.fn.environment).map(([name, value]) => [name, mapPath(value)]),
    );
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      LAMBDA_TASK_ROOT: this.taskDir,
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_LAMBDA_FUNCTION_NAME: this.fn.logicalId,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.fn.memorySize),
      ...this.baseEnv,
      ...template,
      ...overrides,
    };
  }

  async invoke(
    event: unknown,
    options: { env?: Record<string, string>; paths?: Record<string, string> } = {},
  ) {
    const work = await mkdtemp(join(tmpdir(), 'stepmigrate-invoke-'));
    const eventFile = join(work, 'event.json');
    const resultFile = join(work, 'result.json');
    await writeFile(eventFile, JSON.stringify(event));
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    const spawnedAt = Date.now();
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        BOOTSTRAP,
        this.taskDir,
        eventFile,
        resultFile,
        String(spawnedAt + timeoutMs),
      ],
      {
        cwd: this.taskDir,
        env: this.environment(options.env, { ...this.paths, ...options.paths }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    await new Promise<void>((resolve) => child.on('close', () => resolve()));
    clearTimeout(timer);
    const durationMs = Date.now() - spawnedAt;
    try {
      if (timedOut) {
        throw new LambdaFunctionError(
          'Sandbox.Timedout',
          `Task timed out after ${this.fn.timeoutSeconds}.00 seconds`,
          JSON.stringify({
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${this.fn.timeoutSeconds}.00 seconds`,
          }),
        );
      }
      const text = await readFile(resultFile, 'utf8').catch(() => undefined);
      if (text === undefined) {
        throw new LambdaFunctionError(
          'Runtime.ExitError',
          `the process exited before answering: ${output.slice(-2000)}`,
          JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: output.slice(-2000) }),
        );
      }
      const answer = JSON.parse(text) as {
        started: number;
        importedAt: number;
        result?: unknown;
        error?: { errorType: string; errorMessage: string; trace: string[] };
      };
      this.invocations.push({
        functionId: this.fn.logicalId,
        coldStartMs: answer.importedAt - spawnedAt,
        durationMs,
        output,
      });
      if (answer.error) {
        throw new LambdaFunctionError(
          answer.error.errorType,
          answer.error.errorMessage,
          JSON.stringify(answer.error),
        );
      }
      return answer.result;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  remove(): Promise<void> {
    return rm(this.taskDir, { recursive: true, force: true });
  }
}
