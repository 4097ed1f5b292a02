// `stepmigrate graph`: draws the workflow from the synthesized state machine definition,
// so the picture is of what deploys, not of what someone remembers.
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { ExitCode } from '../../lambdas/engine/errors.ts';
import { loadWorkflow, PROJECT_ROOT } from '../local-runner/definition-cache.ts';
import { type GraphFormat, renderGraph } from '../local-runner/graph.ts';
import { type OutputSink, processSink } from '../sink.ts';

export interface GraphOptions {
  format: GraphFormat;
}

/** The workflow graph as text; the definition comes from the cache or a fresh synth. */
export async function workflowGraph(format: GraphFormat, projectDir = process.cwd()): Promise<string> {
  const workflow = await loadWorkflow({
    migrationsDir: join(PROJECT_ROOT, 'migrations'),
    cacheDir: join(projectDir, '.stepmigrate', 'cache'),
  });
  return renderGraph(workflow.definition, format);
}

export async function graphCommand(options: GraphOptions, sink: OutputSink): Promise<ExitCode> {
  sink.out(await workflowGraph(options.format));
  return ExitCode.ok;
}

export function register(program: Command): void {
  program
    .command('graph')
    .description('draw the workflow from the synthesized state machine definition')
    .addOption(
      new Option('--format <format>', 'output format').choices(['mermaid', 'dot']).default('mermaid'),
    )
    .action(async (options: GraphOptions) => {
      process.exitCode = await graphCommand(options, processSink());
    });
}
