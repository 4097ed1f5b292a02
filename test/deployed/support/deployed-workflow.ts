// Executes the synthesized definition with aws-local-stepfunctions, every Task bound to its
// bundled function running in its own process (lambda-process.ts), and a task-token desk
// where the test answers Approval the way `aws stepfunctions send-task-success|failure` does.
import { executeLocally, type LocalExecutionResult } from '../../../cli/local-runner/execute.ts';
import { allStates, logicalIdOfArn } from '../../../cli/local-runner/resolve-definition.ts';
import type { StepFunctionName } from '../../../infra/workflow-states.ts';
import type { StepHandlers } from '../../../lambdas/handlers/create-handlers.ts';
import type { DeployedApp } from './deployed-app.ts';
import type { DeployedLambda } from './lambda-process.ts';

interface Pending {
  resolve(output: unknown): void;
  reject(error: Error): void;
}

/** What SendTaskSuccess / SendTaskFailure do, for the tokens of running executions. */
export class TaskTokens {
  private readonly pending = new Map<string, Pending>();
  private readonly waiting = new Map<string, Array<() => void>>();

  wait(token: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending.set(token, { resolve, reject });
      for (const wake of this.waiting.get(token) ?? []) wake();
    });
  }

  /** Resolves once an execution waits on `token`. */
  async waitingOn(token: string): Promise<void> {
    if (this.pending.has(token)) return;
    await new Promise<void>((resolve) =>
      this.waiting.set(token, [...(this.waiting.get(token) ?? []), resolve]),
    );
  }

  sendTaskSuccess(token: string, output: unknown): void {
    this.take(token).resolve(output);
  }

  sendTaskFailure(token: string, error: string, cause: string): void {
    this.take(token).reject(Object.assign(new Error(cause), { name: error }));
  }

  private take(token: string): Pending {
    const pending = this.pending.get(token);
    if (!pending) throw new Error(`TaskTimedOut: no execution waits on token ${token}`);
    this.pending.delete(token);
    return pending;
  }
}

export interface DeployedRun extends LocalExecutionResult {
  executionArn: string;
}

let executions = 0;

export async function runDeployedWorkflow(
  app: DeployedApp,
  lambdas: ReadonlyMap<string, DeployedLambda>,
  tokens: TaskTokens,
  input: Record<string, unknown>,
): Promise<DeployedRun> {
  const executionArn = `arn:aws:states:us-east-1:000000000000:execution:StepMigrate:deployed-${process.pid}-${++executions}`;
  const taskFunctions: Record<string, string> = {};
  const waitsForToken = new Set<string>();
  for (const [name, state] of allStates(app.definition)) {
    if (state.Type !== 'Task') continue;
    // The task runner's ECS states run a container, not a bundle: no scenario here routes to
    // them (test/e2e/long-runner.test.ts runs that path locally).
    if (state.Resource?.includes(':ecs:')) continue;
    const logicalId = logicalIdOfArn(state.Parameters?.FunctionName);
    if (!logicalId || !lambdas.has(logicalId))
      throw new Error(`Task ${name} invokes no deployed step function`);
    taskFunctions[name] = logicalId;
    if (state.Resource?.endsWith('.waitForTaskToken')) waitsForToken.add(logicalId);
  }
  const handlers: Record<string, (event: unknown) => Promise<unknown>> = {};
  for (const [logicalId, lambda] of lambdas) {
    handlers[logicalId] = async (event) => {
      const result = await lambda.invoke(event);
      if (!waitsForToken.has(logicalId)) return result;
      // The function published the token; the state waits until somebody answers it.
      return tokens.wait((event as { taskToken: string }).taskToken);
    };
  }
  const result = await executeLocally({
    workflow: {
      definition: app.definition,
      taskSteps: taskFunctions as Record<string, StepFunctionName>,
    },
    handlers: handlers as unknown as StepHandlers,
    input,
    executionId: executionArn,
    retryPauseMs: 100,
  });
  return { ...result, executionArn };
}
