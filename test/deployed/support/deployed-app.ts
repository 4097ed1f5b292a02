// The default CDK app (infra/app.ts) synthesized WITH bundling, as `cdk deploy` would build
// it, once per suite: the template, the state machine definition, and the step functions
// with their assets from cdk.out.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AslDefinition } from '../../../cli/local-runner/resolve-definition.ts';
import { PROJECT_ROOT } from '../../../infra/bundling.ts';
import { type DeployedFunction, deployedFunctions, readTemplate, TemplateResolver } from './template.ts';

export interface DeployedApp {
  outdir: string;
  resolver: TemplateResolver;
  definition: AslDefinition;
  /** The state machine's ARN, with local names. */
  stateMachineArn: string;
  functions: Map<string, DeployedFunction>;
  synthMs: number;
  remove(): Promise<void>;
}

export async function synthDeployedApp(context: Record<string, string>): Promise<DeployedApp> {
  const outdir = await mkdtemp(join(tmpdir(), 'stepmigrate-cdk-out-'));
  const started = Date.now();
  const args = ['synth', '--no-notices', '--quiet', '--output', outdir];
  for (const [key, value] of Object.entries(context)) args.push('--context', `${key}=${value}`);
  await promisify(execFile)(join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk'), args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', NODE_OPTIONS: '' },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  const synthMs = Date.now() - started;
  const resolver = new TemplateResolver(await readTemplate(outdir));
  const [[machineId, machine] = []] = resolver.resourcesOfType('AWS::StepFunctions::StateMachine');
  if (!machine || !machineId) throw new Error('the synthesized template has no state machine');
  return {
    outdir,
    resolver,
    // The template's own resolver: the task runner's states name subnets, security groups and
    // task definitions, which only a template knows.
    definition: JSON.parse(resolver.resolve(machine.DefinitionString)) as AslDefinition,
    stateMachineArn: resolver.ref(machineId),
    functions: deployedFunctions(resolver, outdir),
    synthMs,
    remove: () => rm(outdir, { recursive: true, force: true }),
  };
}
