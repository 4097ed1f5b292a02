// `stepmigrate watch`: follows an AWS execution and exits by its result (DESIGN §1.5).
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import type { ExitCode } from '../../lambdas/engine/errors.ts';
import { addAwsOptions } from '../aws/aws-options.ts';
import { type AwsConnectionOptions, createSfnClient, withRegionOf } from '../aws/clients.ts';
import { type FollowSettings, followExecution, outcomeJson } from '../aws/follow-execution.ts';
import { type OutputSink, processSink } from '../sink.ts';

export interface WatchOptions extends AwsConnectionOptions {
  json?: boolean;
}

export interface WatchDependencies {
  sfn: SFNClient;
  sink: OutputSink;
  follow?: FollowSettings;
}

export async function watchExecution(
  executionArn: string,
  options: WatchOptions,
  deps: WatchDependencies,
): Promise<ExitCode> {
  const result = await followExecution(deps.sfn, executionArn, deps.sink, {
    ...deps.follow,
    json: options.json,
  });
  if (options.json) deps.sink.out(JSON.stringify(outcomeJson(executionArn, result), null, 2));
  return result.outcome.exitCode;
}

export function register(program: Command): void {
  const command = program
    .command('watch')
    .description('follow an AWS execution step by step and exit by its result')
    .argument('<execution-arn>', 'the execution ARN printed by `stepmigrate start` or shown in the console')
    .option('--json', 'print only the final result, as JSON');
  addAwsOptions(command);
  command.action(async (executionArn: string, options: WatchOptions) => {
    const sfn = createSfnClient(withRegionOf(executionArn, options));
    process.exitCode = await watchExecution(executionArn, options, {
      sfn,
      sink: processSink(),
      follow: { explainInterrupt: true },
    });
  });
}
