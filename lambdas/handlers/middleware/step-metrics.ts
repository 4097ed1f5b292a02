// StepDurationMs (dimensions Database, Step) for every invocation, and StepErrors when it
// fails. Metrics are best effort: losing a datum must never fail a migration.
import type { MiddlewareObj } from '@middy/core';
import type { MetricDatum, Metrics, StepName } from '../../ports.ts';
import type { StepEvent } from '../events.ts';
import { stepFacts } from './step-event.ts';
import { StepTimer } from './timing.ts';

export interface StepMetricsOptions {
  step: StepName;
  metrics: Metrics;
  database: string;
  log(line: string): void;
  now?(): Date;
}

export function stepMetricsMiddleware(options: StepMetricsOptions): MiddlewareObj<StepEvent, unknown> {
  const timer = new StepTimer(options.now);

  const put = async (event: StepEvent, durationMs: number, failed: boolean, result?: unknown) => {
    const dimensions = { Database: stepFacts(event, options.database, result).database, Step: options.step };
    const data: MetricDatum[] = [
      { name: 'StepDurationMs', value: durationMs, unit: 'Milliseconds', dimensions },
    ];
    if (failed) data.push({ name: 'StepErrors', value: 1, unit: 'Count', dimensions });
    try {
      await options.metrics.put(data);
    } catch (error) {
      options.log(
        `${options.step}: could not put step metrics: ${error instanceof Error ? error.message : error}`,
      );
    }
  };

  return {
    before: async (request) => {
      timer.start(request);
    },
    after: async (request) => {
      await put(request.event, timer.stop(request).durationMs, false, request.response);
    },
    onError: async (request) => {
      await put(request.event, timer.stop(request).durationMs, true);
    },
  };
}
