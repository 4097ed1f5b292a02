// The task token answers of a task-runner container, through the Step Functions API.
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { TaskCallback } from '../task/task-event.ts';

export interface SfnTaskCallbackOptions {
  client: SFNClient;
  taskToken: string;
}

/** Step Functions caps the cause of SendTaskFailure at 32768 characters. */
const MAX_CAUSE = 32_768;

export class SfnTaskCallback implements TaskCallback {
  constructor(private readonly options: SfnTaskCallbackOptions) {}

  async heartbeat(): Promise<void> {
    await this.options.client.send(new SendTaskHeartbeatCommand({ taskToken: this.options.taskToken }));
  }

  async succeed(output: unknown): Promise<void> {
    await this.options.client.send(
      new SendTaskSuccessCommand({
        taskToken: this.options.taskToken,
        output: JSON.stringify(output ?? null),
      }),
    );
  }

  async fail(error: { name: string; message: string }): Promise<void> {
    await this.options.client.send(
      new SendTaskFailureCommand({
        taskToken: this.options.taskToken,
        // The error name is what the definition's Retry and Catch match, as with a Lambda.
        error: error.name.slice(0, 256),
        cause: error.message.slice(0, MAX_CAUSE),
      }),
    );
  }
}
