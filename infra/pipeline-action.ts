// A ready CodePipeline action that runs the migration workflow (DESIGN §1.4). The
// StepFunctions invoke action waits for the execution and fails when it ends FAILED,
// TIMED_OUT or ABORTED, so a failed migration fails the stage and stops the pipeline.
import { Token } from 'aws-cdk-lib';
import * as codepipelineActions from 'aws-cdk-lib/aws-codepipeline-actions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { parseExecutionInput } from '../lambdas/engine/input.ts';
import type { ExecutionInput } from '../lambdas/engine/run-state.ts';

/** CodePipeline resolves this variable in the action configuration at run time. */
export const PIPELINE_EXECUTION_ID = '#{codepipeline.PipelineExecutionId}';

export interface PipelineActionOptions {
  /**
   * Name of the action in the stage.
   * @default 'Migrate'
   */
  readonly actionName?: string;
  /**
   * Execution input fields (DESIGN §1.3), checked at synth time.
   * @default - the deployment's defaults: target latest, no dry run, no approval
   */
  readonly input?: Partial<ExecutionInput>;
  /**
   * The workflow's database, written into the input and used as the execution name prefix.
   * A workflow migrates one database: Validate refuses any other name with InputError.
   * @default - no `database` field; executions are named "stepmigrate-…"
   */
  readonly database?: string;
  /**
   * Position of the action in its stage.
   * @default 1
   */
  readonly runOrder?: number;
}

// The action names executions "<prefix>-<action execution id>" (a 36-character UUID);
// Step Functions allows 80 characters.
const MAX_PREFIX_LENGTH = 40;

function executionNamePrefix(database: string | undefined): string {
  const base = database !== undefined && !Token.isUnresolved(database) ? database : 'stepmigrate';
  return base.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, MAX_PREFIX_LENGTH);
}

function pipelineInput(options: PipelineActionOptions): Record<string, unknown> {
  const input: Record<string, unknown> = {
    ...options.input,
    requestedBy: options.input?.requestedBy ?? PIPELINE_EXECUTION_ID,
  };
  if (options.database !== undefined) input.database = options.database;
  if (Object.values(input).some((value) => Token.isUnresolved(value))) return input;
  try {
    parseExecutionInput(input);
  } catch (error) {
    throw new Error(`pipelineAction: ${(error as Error).message}`);
  }
  return input;
}

/**
 * A `StepFunctionInvokeAction` that starts the migration workflow with `input` and
 * `requestedBy` set to the pipeline execution id, so the audit log says which pipeline
 * run asked for each migration.
 */
export function pipelineAction(
  stateMachine: sfn.IStateMachine,
  options: PipelineActionOptions = {},
): codepipelineActions.StepFunctionInvokeAction {
  return new codepipelineActions.StepFunctionInvokeAction({
    actionName: options.actionName ?? 'Migrate',
    stateMachine,
    stateMachineInput: codepipelineActions.StateMachineInput.literal(pipelineInput(options)),
    executionNamePrefix: executionNamePrefix(options.database ?? options.input?.database),
    runOrder: options.runOrder,
  });
}
