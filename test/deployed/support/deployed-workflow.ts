// Executes the synthesized definition with aws-local-stepfunctions, every Task bound to its
// bundled function running in its own process (lambda-process.ts), and a task-token desk
// where the test answers Approval the way `aws stepfunctions send-task-success|failure` does.
import {
  type ExecutionEvent,
  executeLocally,
  type LocalExecutionResult,
} from '../../../cli/local-runner/execute.ts';
import {
  allStates,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  logicalIdOfArn,
} from '../../../cli/local-runner/resolve-definition.ts';
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
  /** The execution's name, the last part of its ARN. */
  name: string;
  /** Epoch milliseconds, as the execution status events carry them. */
  startDate: number;
  stopDate: number;
  /** Every event of the local execution, in order. */
  events: ExecutionEvent[];
}

let executions = 0;

export async function runDeployedWorkflow(
  app: DeployedApp,
  lambdas: ReadonlyMap<string, DeployedLambda>,
  tokens: TaskTokens,
  input: Record<string, unknown>,
): Promise<DeployedRun> {
  const name = `deployed-${process.pid}-${++executions}`;
  // Named as AWS names it: the state machine's name, then the execution's.
  const machineName = app.stateMachineArn.split(':').at(-1) ?? '';
  const executionArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${machineName}:${name}`;
  const events: ExecutionEvent[] = [];
  const startDate = Date.now();
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
    onEvent: (event) => events.push(event),
  });
  return { ...result, executionArn, name, startDate, stopDate: Date.now(), events };
}

const json = (value: unknown) => JSON.stringify(value ?? null);
const text = (value: unknown) => (typeof value === 'string' ? value : json(value));
/** What every Task event names: each task state of the workflow invokes a Lambda. */
const LAMBDA_TASK = { resourceType: 'lambda', resource: 'invoke' } as const;

/**
 * The execution's history as states:GetExecutionHistory returns it (oldest first, data
 * included): each state's entered/exited events with its input and output, a Lambda task's
 * TaskScheduled/TaskSucceeded/TaskFailed in between, Map iterations, and how it ended.
 */
export function executionHistory(run: DeployedRun, roleArn: string): Array<Record<string, unknown>> {
  const history: Array<Record<string, unknown>> = [];
  const add = (type: string, timestamp: number, details: Record<string, unknown> = {}) =>
    history.push({
      id: history.length + 1,
      previousEventId: history.length,
      type,
      // The JSON protocol's timestamps: epoch seconds.
      timestamp: timestamp / 1000,
      ...details,
    });
  for (const event of run.events) {
    switch (event.type) {
      case 'ExecutionStarted':
        add(event.type, event.timestamp, {
          executionStartedEventDetails: {
            input: json(event.input),
            inputDetails: { truncated: false },
            roleArn,
          },
        });
        break;
      case 'ExecutionSucceeded':
        add(event.type, event.timestamp, {
          executionSucceededEventDetails: { output: json(event.output), outputDetails: { truncated: false } },
        });
        break;
      case 'ExecutionFailed':
        add(event.type, event.timestamp, {
          executionFailedEventDetails: { error: event.Error, cause: text(event.Cause) },
        });
        break;
      case 'StateEntered':
        add(`${event.state.type}StateEntered`, event.timestamp, {
          stateEnteredEventDetails: {
            name: event.state.name,
            input: json(event.state.input),
            inputDetails: { truncated: false },
          },
        });
        if (event.state.type === 'Task') {
          add('TaskScheduled', event.timestamp, {
            taskScheduledEventDetails: {
              ...LAMBDA_TASK,
              region: LOCAL_REGION,
              parameters: json(event.state.input),
            },
          });
          add('TaskStarted', event.timestamp, { taskStartedEventDetails: LAMBDA_TASK });
        }
        break;
      case 'StateExited':
        if (event.state.type === 'Task')
          add('TaskSucceeded', event.timestamp, {
            taskSucceededEventDetails: { ...LAMBDA_TASK, output: json(event.state.output) },
          });
        add(`${event.state.type}StateExited`, event.timestamp, {
          stateExitedEventDetails: {
            name: event.state.name,
            output: json(event.state.output),
            outputDetails: { truncated: false },
          },
        });
        break;
      case 'StateFailed':
        if (event.state.type === 'Task')
          add('TaskFailed', event.timestamp, {
            taskFailedEventDetails: {
              ...LAMBDA_TASK,
              error: event.Error,
              cause: text(event.Cause),
            },
          });
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const key = `${event.type[0]?.toLowerCase()}${event.type.slice(1)}EventDetails`;
        add(event.type, event.timestamp, { [key]: { name: event.parentState.name, index: event.index } });
        break;
      }
      default:
        break;
    }
  }
  return history;
}
