// Links a person can click in a terminal, an e-mail or a chat message to see an execution
// in the Step Functions console. The region and partition come from the ARN itself, so a
// link is right even when the CLI was pointed at another region by mistake.

const CONSOLE_HOSTS: Record<string, (region: string) => string> = {
  aws: (region) => `${region}.console.aws.amazon.com`,
  'aws-cn': () => 'console.amazonaws.cn',
  'aws-us-gov': (region) => `${region}.console.amazonaws-us-gov.com`,
};

export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the account, e.g. "execution:my-machine:my-run". */
  resource: string;
}

/** Splits an ARN, or returns undefined when `value` is not one. */
export function parseArn(value: string): ArnParts | undefined {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, account, ...rest] = parts;
  return {
    partition: partition!,
    service: service!,
    region: region!,
    account: account!,
    resource: rest.join(':'),
  };
}

/** The Step Functions console page of one execution. */
export function executionConsoleUrl(executionArn: string): string {
  const arn = parseArn(executionArn);
  const region = arn?.region || 'us-east-1';
  const host = (CONSOLE_HOSTS[arn?.partition ?? 'aws'] ?? CONSOLE_HOSTS.aws!)(region);
  return `https://${host}/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/** The last part of an execution ARN: the name an operator recognises. */
export function executionName(executionArn: string): string {
  const arn = parseArn(executionArn);
  if (arn === undefined || !arn.resource.startsWith('execution:')) return executionArn;
  return arn.resource.split(':').at(-1) ?? executionArn;
}
