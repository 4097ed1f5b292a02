// `stepmigrate approve <token>`: answers a waiting Approval step with "yes".
import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { ExitCode } from '../../lambdas/engine/errors.ts';
import { addAwsOptions } from '../aws/aws-options.ts';
import { type AwsConnectionOptions, createSfnClient } from '../aws/clients.ts';
import { callAws } from '../aws/explain-error.ts';
import { localRequester } from '../aws/requester.ts';
import { type OutputSink, processSink } from '../sink.ts';

export interface ApproveOptions extends AwsConnectionOptions {
  by?: string;
  json?: boolean;
}

/** What approve and reject need: the answer goes to Step Functions, the outcome to the sink. */
export interface ApprovalDependencies {
  sfn: SFNClient;
  sink: OutputSink;
  requester?: string;
}

/** The IAM resource for task responses is the state machine that issued the token. */
export const TASK_TOKEN_RESOURCE = 'the stepmigrate state machine';

export async function approveTask(
  token: string,
  options: ApproveOptions,
  deps: ApprovalDependencies,
): Promise<ExitCode> {
  const by = options.by ?? deps.requester ?? localRequester();
  const output = JSON.stringify({ approved: true, by });
  await callAws({ action: 'states:SendTaskSuccess', resource: TASK_TOKEN_RESOURCE }, () =>
    deps.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output })),
  );
  deps.sink.out(options.json ? output : `approved by ${by}: the run continues`);
  return ExitCode.ok;
}

export function register(program: Command): void {
  const command = program
    .command('approve')
    .description('approve a run waiting at its Approval step')
    .argument('<token>', 'the task token from the approval message')
    .option('--by <name>', 'who approves (recorded in the audit log; default: user@host)')
    .option('--json', 'print the result as JSON');
  addAwsOptions(command);
  command.action(async (token: string, options: ApproveOptions) => {
    process.exitCode = await approveTask(token, options, {
      sfn: createSfnClient(options),
      sink: processSink(),
    });
  });
}
