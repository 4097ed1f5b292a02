// Synthesizes the CDK app in-process and returns the state machine definition as plain
// ASL, plus the step each Task state invokes. Bundling is skipped: only the template is read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { StepFunctionName } from '../../infra/workflow-states.ts';
import { type AslDefinition, resolveDefinition } from './resolve-definition.ts';
import { taskStepsOf } from './task-steps.ts';
import { buildLocalWorkflowStack, type LocalWorkflowOptions } from './workflow-stack.ts';

export interface SynthesizedWorkflow {
  definition: AslDefinition;
  /** Task state name → the step whose function it invokes. */
  taskSteps: Record<string, StepFunctionName>;
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export function synthesizeWorkflow(
  migrationsDirectory: string,
  options: LocalWorkflowOptions = {},
): SynthesizedWorkflow {
  const outdir = mkdtempSync(join(tmpdir(), 'stepmigrate-synth-'));
  try {
    const app = new App({
      outdir,
      context: { 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: false,
    });
    const { stack, functions } = buildLocalWorkflowStack(app, migrationsDirectory, options);
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
