// One structured log line per step invocation (CloudWatch Logs on AWS), credentials removed.
import type { MiddlewareObj } from '@middy/core';
import { summarizeError } from '../../engine/errors.ts';
import type { StepName } from '../../ports.ts';
import type { StepEvent } from '../events.ts';
import { redactSecrets } from './redact.ts';
import { stepFacts } from './step-event.ts';
import { StepTimer } from './timing.ts';

export interface StepLogOptions {
  step: StepName;
  database: string;
  log(line: string): void;
  now?(): Date;
}

export function stepLogMiddleware(options: StepLogOptions): MiddlewareObj<StepEvent, unknown> {
  const timer = new StepTimer(options.now);
  const write = (fields: Record<string, unknown>) => options.log(redactSecrets(JSON.stringify(fields)));

  return {
    before: async (request) => {
      timer.start(request);
    },
    after: async (request) => {
      const { executionId, database, migrations } = stepFacts(
        request.event,
        options.database,
        request.response,
      );
      const { durationMs } = timer.stop(request);
      write({ step: options.step, event: 'succeeded', executionId, database, migrations, durationMs });
    },
    onError: async (request) => {
      const { executionId, database, migrations } = stepFacts(request.event, options.database);
      const { durationMs } = timer.stop(request);
      const error = summarizeError(request.error);
      write({ step: options.step, event: 'failed', executionId, database, migrations, durationMs, error });
    },
  };
}
