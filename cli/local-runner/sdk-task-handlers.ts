// Binds the definition's AWS SDK integration states (`arn:aws:states:::aws-sdk:rds:*`: the
// database snapshot states) to a local handler that makes the same RDS call against the
// endpoint a local run is given (a stand-in of RDS). The state's Parameters go out as they
// are and its ResultSelector, Retry and Catch see what Step Functions would hand them.

import { callRds } from './rds-query-client.ts';
import { type AslDefinition, allStates } from './resolve-definition.ts';
import type { LocalTaskHandler } from './task-handlers.ts';

const SDK_RESOURCE = /^arn:aws:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/;

/** Names the environment variable a local run reads the RDS endpoint from. */
export const LOCAL_RDS_ENDPOINT_ENV = 'STEPMIGRATE_RDS_ENDPOINT';

export class NoLocalEndpointError extends Error {
  constructor(stateName: string, service: string) {
    super(
      `${stateName} calls ${service} through the AWS SDK integration, and this local run has no ${service} endpoint: ` +
        `give the run an rdsEndpoint (or set ${LOCAL_RDS_ENDPOINT_ENV}) pointing at a stand-in of the RDS API`,
    );
    this.name = 'NoLocalEndpointError';
  }
}

/** Is this Task state an AWS SDK integration call (and not a Lambda or ECS state)? */
export function isSdkTask(resource: string | undefined): boolean {
  return resource !== undefined && SDK_RESOURCE.test(resource);
}

export function localSdkTaskHandlers(
  definition: AslDefinition,
  options: { rdsEndpoint?: string },
): Record<string, LocalTaskHandler> {
  const handlers: Record<string, LocalTaskHandler> = {};
  for (const [name, state] of allStates(definition)) {
    const match = state.Type === 'Task' ? SDK_RESOURCE.exec(state.Resource ?? '') : null;
    if (!match) continue;
    const [, service, action] = match as unknown as [string, string, string];
    handlers[name] = async (input) => {
      if (service !== 'rds' || !options.rdsEndpoint) throw new NoLocalEndpointError(name, service);
      return callRds(options.rdsEndpoint, action, (input ?? {}) as Record<string, unknown>);
    };
  }
  return handlers;
}
