// `stepmigrate start`: starts an execution on AWS with input built from flags, checked
// before any API call, and with --wait follows it and exits by its result.
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { ExitCode } from '../../lambdas/engine/errors.ts';
import { executionConsoleUrl } from '../../lambdas/engine/notifications/console-link.ts';
import { addAwsOptions } from '../aws/aws-options.ts';
import { type AwsConnectionOptions, createSfnClient, withRegionOf } from '../aws/clients.ts';
import { executionNameFor } from '../aws/execution-name.ts';
import { callAws } from '../aws/explain-error.ts';
import { type FollowSettings, followExecution, outcomeJson } from '../aws/follow-execution.ts';
import { localRequester } from '../aws/requester.ts';
import { resolveStateMachineArn } from '../aws/resolve-state-machine.ts';
import {
  addExecutionInputOptions,
  type ExecutionInputFlags,
  executionInputFromFlags,
} from '../input-flags.ts';
import { type OutputSink, processSink } from '../sink.ts';

export interface StartOptions extends ExecutionInputFlags, AwsConnectionOptions {
  stateMachine: string;
  wait?: boolean;
  json?: boolean;
}

export interface StartDependencies {
  sfn: SFNClient;
  sink: OutputSink;
  follow?: FollowSettings;
  now?: () => Date;
  /** Recorded as requestedBy when --requested-by is not given. */
  requester?: string;
}

export async function startMigration(options: StartOptions, deps: StartDependencies): Promise<ExitCode> {
  const requestedBy = options.requestedBy ?? deps.requester ?? localRequester();
  // Checked before any API call: bad input never reaches AWS.
  const { raw, parsed } = executionInputFromFlags({ ...options, requestedBy });
  const stateMachineArn = await resolveStateMachineArn(deps.sfn, options.stateMachine);
  // One name for every SDK retry: StartExecution with the same name and input returns the
  // execution already started instead of starting a second one.
  const name = executionNameFor(parsed, deps.now?.() ?? new Date());
  const started = await callAws({ action: 'states:StartExecution', resource: stateMachineArn }, () =>
    deps.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(raw) })),
  );
  const executionArn = started.executionArn!;
  if (!options.wait) {
    if (options.json) {
      const startDate = started.startDate?.toISOString();
      const consoleUrl = executionConsoleUrl(executionArn);
      deps.sink.out(JSON.stringify({ executionArn, name, startDate, consoleUrl, input: raw }, null, 2));
    } else {
      deps.sink.out(`started ${name}`);
      deps.sink.out(`  ${executionArn}`);
      deps.sink.out(`  ${executionConsoleUrl(executionArn)}`);
      deps.sink.out(`follow it: stepmigrate watch ${executionArn}`);
      if (parsed.requireApproval) {
        deps.sink.out(
          'it will wait at Approval: the approve/reject commands arrive by e-mail and show in `watch`',
        );
      }
    }
    return ExitCode.ok;
  }
  if (!options.json) deps.sink.out(`started ${name}`);
  const result = await followExecution(deps.sfn, executionArn, deps.sink, {
    ...deps.follow,
    json: options.json,
  });
  if (options.json)
    deps.sink.out(JSON.stringify({ ...outcomeJson(executionArn, result), name, input: raw }, null, 2));
  return result.outcome.exitCode;
}

export function register(program: Command): void {
  const command = program
    .command('start')
    .description(
      'start a migration execution on AWS Step Functions; with --wait, follow it and exit by its result',
    )
    .requiredOption(
      '--state-machine <arn|name>',
      'the stepmigrate state machine (ARN, or name in the region)',
    )
    .option('--wait', 'follow the execution until it ends, like `watch`')
    .option('--json', 'print one JSON document instead of text');
  addExecutionInputOptions(command);
  addAwsOptions(command);
  command.action(async (options: StartOptions) => {
    const sfn = createSfnClient(withRegionOf(options.stateMachine, options));
    process.exitCode = await startMigration(options, {
      sfn,
      sink: processSink(),
      follow: { explainInterrupt: true },
    });
  });
}
