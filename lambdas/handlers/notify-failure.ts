// The target of the workflow's EventBridge rule: when an execution ends FAILED, TIMED_OUT or
// ABORTED, read what its history says and publish the failure message (database, migration,
// error, outcome, console link) to the notification topic. Not a workflow step: it runs
// after the execution has ended, so it never holds the lease or touches the database.
import {
  type ExecutionStatusDetail,
  failureDetailsFromExecution,
  type HistoryEvent,
} from '../engine/notifications/failed-execution.ts';
import { type FailureMessage, failureMessage } from '../engine/notifications/failure-message.ts';
import { redactSecrets } from './middleware/redact.ts';

export interface ExecutionStatusEvent {
  'detail-type'?: string;
  detail: ExecutionStatusDetail;
}

export interface NotifyFailureDependencies {
  /** The workflow's database (STEPMIGRATE_DATABASE). */
  database: string;
  history: (executionArn: string) => Promise<HistoryEvent[]>;
  publish: (message: FailureMessage) => Promise<void>;
  log: (line: string) => void;
}

export function makeNotifyFailureHandler(deps: NotifyFailureDependencies) {
  return async (event: ExecutionStatusEvent): Promise<FailureMessage> => {
    const { detail } = event;
    // Without the history the message is less precise, but people must still hear of it.
    const history = await deps.history(detail.executionArn).catch((error: unknown) => {
      deps.log(`notify-failure: could not read the history of ${detail.executionArn}: ${String(error)}`);
      return [];
    });
    const details = failureDetailsFromExecution(detail, history, deps.database);
    const message = failureMessage(details);
    const redacted = { subject: redactSecrets(message.subject), text: redactSecrets(message.text) };
    // A failed Publish throws: Lambda retries the event, then puts it on the dead-letter queue.
    await deps.publish(redacted);
    return redacted;
  };
}
