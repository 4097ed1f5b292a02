// Turns an AWS SDK failure into one line an operator can act on, as a stepmigrate error
// so the CLI exits 2 ("refused before any change"): a wrong ARN, a missing permission or a
// missing region never changes the database.
import { InputError, PreflightError, StepMigrateError } from '../../lambdas/engine/errors.ts';

/** The API call that failed, in IAM terms: what to grant, on what. */
export interface AwsCall {
  /** IAM action, e.g. "states:StartExecution". */
  action: string;
  /** The ARN (or name) the call was about. */
  resource: string;
}

const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);
const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'ExpiredToken',
]);
const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);
const TOKEN_GONE = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);

type Explain = (call: AwsCall, message: string) => StepMigrateError;

const explanations: Record<string, Explain> = {
  ExecutionDoesNotExist: (call) =>
    new InputError(
      `no execution ${call.resource}: check the ARN (copy it from \`stepmigrate start\` or the console) and the region`,
    ),
  StateMachineDoesNotExist: (call) =>
    new InputError(`no state machine ${call.resource} in this account and region: check the ARN or --region`),
  StateMachineDeleting: (call) => new PreflightError(`state machine ${call.resource} is being deleted`),
  InvalidArn: (call, message) =>
    new InputError(
      `"${call.resource}" is not a valid Step Functions ARN (${message}); ` +
        'expected arn:aws:states:<region>:<account>:stateMachine:<name> or …:execution:<machine>:<name>',
    ),
  InvalidExecutionInput: (_call, message) =>
    new InputError(`Step Functions refused the execution input: ${message}`),
  InvalidName: (_call, message) => new InputError(`Step Functions refused the execution name: ${message}`),
  ExecutionAlreadyExists: (call) =>
    new InputError(
      `an execution with this name already exists on ${call.resource}; start again for a new name`,
    ),
  ExecutionLimitExceeded: () =>
    new PreflightError(
      'too many running executions in this account: wait for some to finish, then start again',
    ),
  ResourceNotFoundException: (call, message) =>
    new InputError(`${call.resource} not found (${message}): check the name and --region`),
};

function tokenGone(): StepMigrateError {
  return new InputError(
    'the approval is not waiting any more: it was already answered, it timed out, or the execution ended ' +
      '(check the execution with `stepmigrate watch <execution-arn>`)',
  );
}

function nonServiceProblem(error: Error): StepMigrateError | undefined {
  if (/region is missing/i.test(error.message)) {
    return new InputError(
      'no AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile',
    );
  }
  if (error.name === 'CredentialsProviderError' || /could not load credentials/i.test(error.message)) {
    return new PreflightError(
      'no AWS credentials found: pass --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID, or run `aws sso login`',
    );
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    const host = (error as { hostname?: unknown }).hostname;
    return new PreflightError(
      `could not reach AWS${typeof host === 'string' ? ` at ${host}` : ''} (${code}) after retrying: ` +
        'check the network, a proxy (HTTPS_PROXY), and --region',
    );
  }
  return undefined;
}

export function explainAwsError(error: unknown, call: AwsCall): unknown {
  if (error instanceof StepMigrateError || !(error instanceof Error)) return error;
  const known = nonServiceProblem(error);
  if (known !== undefined) return withCause(known, error);
  const name = error.name;
  if (ACCESS_DENIED.has(name)) {
    return withCause(
      new PreflightError(
        `not allowed: ${call.action} on ${call.resource} — grant this action to your IAM identity ` +
          '(docs/aws.md lists the policy for each command)',
      ),
      error,
    );
  }
  if (BAD_CREDENTIALS.has(name)) {
    return withCause(
      new PreflightError(
        `AWS refused the credentials (${name}): refresh them (e.g. \`aws sso login\`) or check --profile`,
      ),
      error,
    );
  }
  if (TOKEN_GONE.has(name)) return withCause(tokenGone(), error);
  if (name === 'ThrottlingException' || name === 'TooManyRequestsException') {
    return withCause(
      new PreflightError(`AWS kept throttling ${call.action} after every retry: wait a minute and try again`),
      error,
    );
  }
  const explain = explanations[name];
  if (explain !== undefined) return withCause(explain(call, error.message), error);
  if ('$metadata' in error || 'code' in error) {
    return withCause(
      new PreflightError(`${call.action} on ${call.resource} failed: ${name}: ${error.message}`),
      error,
    );
  }
  return error;
}

function withCause(error: StepMigrateError, cause: unknown): StepMigrateError {
  Object.defineProperty(error, 'cause', {
    value: cause,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return error;
}

/** Runs one API call and explains its failure. */
export async function callAws<T>(call: AwsCall, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw explainAwsError(error, call);
  }
}
