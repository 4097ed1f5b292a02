// --profile and --region, the same on every AWS command.
import type { Command } from 'commander';

export function addAwsOptions(command: Command): Command {
  return command
    .option('--profile <name>', 'AWS profile from ~/.aws/config (default: $AWS_PROFILE or the default chain)')
    .option('--region <region>', 'AWS region (default: from the ARN, $AWS_REGION, or the profile)');
}
