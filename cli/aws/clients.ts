// AWS clients for the CLI. Region and credentials come from the standard AWS chain
// (environment, shared config/credentials files, SSO, instance roles); --profile and
// --region override it. Throttling and transient errors are retried by the SDK with the
// adaptive strategy, which also slows down the client when the service pushes back —
// `watch` polls GetExecutionHistory, whose quota is small.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { SFNClient, type SFNClientConfig } from '@aws-sdk/client-sfn';
import { parseArn } from '../../lambdas/engine/notifications/console-link.ts';

export interface AwsConnectionOptions {
  profile?: string;
  region?: string;
}

export const AWS_RETRY = { retryMode: 'adaptive', maxAttempts: 8 } as const;

function baseConfig(options: AwsConnectionOptions) {
  // The SDK warns on every run that Node 20 support ends in 2027; stepmigrate supports
  // Node 20.19+, and the warning would bury the one line an operator needs to read.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return {
    ...AWS_RETRY,
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
  };
}

/** `overrides` exist for tests (a fake request handler, static credentials). */
export function createSfnClient(options: AwsConnectionOptions, overrides: SFNClientConfig = {}): SFNClient {
  return new SFNClient({ ...baseConfig(options), ...overrides });
}

export function createDynamoDbClient(
  options: AwsConnectionOptions,
  overrides: DynamoDBClientConfig = {},
): DynamoDBClient {
  return new DynamoDBClient({ ...baseConfig(options), ...overrides });
}

/**
 * An ARN already names its region: use it unless --region says otherwise, so
 * `watch <arn>` works without configuring a default region.
 */
export function withRegionOf(arn: string, options: AwsConnectionOptions): AwsConnectionOptions {
  const region = parseArn(arn)?.region;
  return options.region === undefined && region ? { ...options, region } : options;
}
