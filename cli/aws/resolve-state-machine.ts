// `--state-machine` takes an ARN or a name; a name is looked up with ListStateMachines in
// the client's region.
import { ListStateMachinesCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { InputError } from '../../lambdas/engine/errors.ts';
import { callAws } from './explain-error.ts';

export async function resolveStateMachineArn(sfn: SFNClient, nameOrArn: string): Promise<string> {
  if (nameOrArn.startsWith('arn:')) return nameOrArn;
  const seen: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callAws({ action: 'states:ListStateMachines', resource: '*' }, () =>
      sfn.send(new ListStateMachinesCommand({ maxResults: 1000, nextToken })),
    );
    for (const machine of page.stateMachines ?? []) {
      if (machine.name === nameOrArn && machine.stateMachineArn) return machine.stateMachineArn;
      if (machine.name) seen.push(machine.name);
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  const region = await sfn.config.region().catch(() => 'this region');
  const known =
    seen.length === 0
      ? 'there are none'
      : `found: ${seen.slice(0, 10).join(', ')}${seen.length > 10 ? ', …' : ''}`;
  throw new InputError(
    `no state machine named "${nameOrArn}" in ${region} (${known}): pass the ARN, or the right --region/--profile`,
  );
}
