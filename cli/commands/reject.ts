// `stepmigrate reject <token>`: answers a waiting Approval step with "no"; the run ends
// with ApprovalRejectedError before any change.
import { SendTaskFailureCommand } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { ExitCode } from '../../lambdas/engine/errors.ts';
import { addAwsOptions } from '../aws/aws-options.ts';
import { type AwsConnectionOptions, createSfnClient } from '../aws/clients.ts';
import { callAws } from '../aws/explain-error.ts';
import { localRequester } from '../aws/requester.ts';
import { processSink } from '../sink.ts';
import { type ApprovalDependencies, TASK_TOKEN_RESOURCE } from './approve.ts';

export interface RejectOptions extends AwsConnectionOptions {
  reason?: string;
  by?: string;
  json?: boolean;
}

// Step Functions limits the cause to 32768 characters.
const MAX_CAUSE = 32_768;

export async function rejectTask(
  token: string,
  options: RejectOptions,
  deps: ApprovalDependencies,
): Promise<ExitCode> {
  const by = options.by ?? deps.requester ?? localRequester();
  const cause = `rejected by ${by}${options.reason ? `: ${options.reason}` : ''}`.slice(0, MAX_CAUSE);
  await callAws({ action: 'states:SendTaskFailure', resource: TASK_TOKEN_RESOURCE }, () =>
    deps.sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'ApprovalRejectedError', cause })),
  );
  deps.sink.out(
    options.json
      ? JSON.stringify({ approved: false, by, cause })
      : `${cause}: the run stops, nothing changed`,
  );
  return ExitCode.ok;
}

export function register(program: Command): void {
  const command = program
    .command('reject')
    .description('reject a run waiting at its Approval step; it ends before any change')
    .argument('<token>', 'the task token from the approval message')
    .option('--reason <text>', 'why (recorded as the cause of ApprovalRejectedError)')
    .option('--by <name>', 'who rejects (default: user@host)')
    .option('--json', 'print the result as JSON');
  addAwsOptions(command);
  command.action(async (token: string, options: RejectOptions) => {
    process.exitCode = await rejectTask(token, options, {
      sfn: createSfnClient(options),
      sink: processSink(),
    });
  });
}
