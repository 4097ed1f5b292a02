// Synthesizes the CDK app in-process and returns the state machine definition as plain
// ASL, plus the step each Task state invokes. Bundling is skipped: only the template is read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { type StepFunctionName, TASK_STATE_STEPS } from '../../infra/workflow-definition.ts';
import { type AslDefinition, allStates, logicalIdOfArn, resolveDefinition } from './resolve-definition.ts';
import { buildLocalWorkflowStack } from './workflow-stack.ts';

export interface SynthesizedWorkflow {
  definition: AslDefinition;
  /** Task state name → the step whose function it invokes. */
  taskSteps: Record<string, StepFunctionName>;
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export function synthesizeWorkflow(migrationsDirectory: string): SynthesizedWorkflow {
  const outdir = mkdtempSync(join(tmpdir(), 'stepmigrate-synth-'));
  try {
    const app = new App({
      outdir,
      context: { 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: false,
    });
    const { stack, functions } = buildLocalWorkflowStack(app, migrationsDirectory);
    const template = app.synth().getStackByName(stack.stackName).template as {
      Resources: Record<string, CfnResource>;
    };
    const machines = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::StepFunctions::StateMachine',
    );
    if (machines.length !== 1)
      throw new Error(`expected one state machine in ${stack.stackName}, found ${machines.length}`);
    const definition = resolveDefinition(machines[0]?.Properties?.DefinitionString);
    const stepOfLogicalId = new Map<string, StepFunctionName>();
    for (const [step, fn] of Object.entries(functions) as Array<
      [StepFunctionName, { functionArn: string }]
    >) {
      const resolved = stack.resolve(fn.functionArn) as { 'Fn::GetAtt'?: [string, string] };
      const logicalId = resolved['Fn::GetAtt']?.[0];
      if (logicalId) stepOfLogicalId.set(logicalId, step);
    }
    return { definition, taskSteps: taskStepsOf(definition, stepOfLogicalId) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Maps each Task state to the step of the function it invokes, and refuses a definition
 * whose wiring differs from TASK_STATE_STEPS (a state calling another step's function).
 */
export function taskStepsOf(
  definition: AslDefinition,
  stepOfLogicalId: ReadonlyMap<string, StepFunctionName>,
): Record<string, StepFunctionName> {
  const taskSteps: Record<string, StepFunctionName> = {};
  for (const [name, state] of allStates(definition)) {
    if (state.Type !== 'Task') continue;
    const logicalId = logicalIdOfArn(state.Parameters?.FunctionName);
    const step = logicalId === undefined ? undefined : stepOfLogicalId.get(logicalId);
    if (step === undefined)
      throw new Error(`Task state ${name} does not invoke one of the workflow's step functions`);
    const expected = TASK_STATE_STEPS[name];
    if (expected !== undefined && expected !== step) {
      throw new Error(`Task state ${name} invokes the ${step} function, expected ${expected}`);
    }
    taskSteps[name] = step;
  }
  return taskSteps;
}
