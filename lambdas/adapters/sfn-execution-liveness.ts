// HolderLiveness on AWS: a lease's owner is the execution ARN of the run holding it, and
// DescribeExecution says whether that execution still runs. A lease of an execution that
// ended (failed, timed out, aborted, or even succeeded without reaching Report) can then be
// taken over at once; a running one never is.
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { HolderLiveness, LeaseHolder } from '../ports.ts';

export class SfnExecutionLiveness implements HolderLiveness {
  constructor(private readonly client: SFNClient) {}

  async isRunning(holder: LeaseHolder): Promise<boolean | undefined> {
    if (!holder.owner.startsWith('arn:') || !holder.owner.includes(':execution:')) return undefined;
    try {
      const { status } = await this.client.send(new DescribeExecutionCommand({ executionArn: holder.owner }));
      if (status === undefined) return undefined;
      return status === 'RUNNING' || status === 'PENDING_REDRIVE';
    } catch (error) {
      // An execution Step Functions no longer knows ran more than 90 days ago: it is gone.
      if ((error as { name?: string }).name === 'ExecutionDoesNotExist') return false;
      // No permission, throttled, network: cannot tell, so the lease waits for its expiry.
      return undefined;
    }
  }
}
