// The Metrics port on CloudWatch: PutMetricData into the StepMigrate namespace, in batches
// of the API's limit.
import {
  type CloudWatchClient,
  type MetricDatum as CloudWatchDatum,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import type { MetricDatum, Metrics } from '../ports.ts';

export interface CloudWatchMetricsOptions {
  client: CloudWatchClient;
  /** @default 'StepMigrate' */
  namespace?: string;
  now?: () => Date;
}

/** PutMetricData accepts at most 1000 metric data points per request. */
const METRICS_PER_REQUEST = 1000;

export class CloudWatchMetrics implements Metrics {
  private readonly client: CloudWatchClient;
  private readonly namespace: string;
  private readonly now: () => Date;

  constructor(options: CloudWatchMetricsOptions) {
    this.client = options.client;
    this.namespace = options.namespace ?? 'StepMigrate';
    this.now = options.now ?? (() => new Date());
  }

  async put(data: readonly MetricDatum[]): Promise<void> {
    const timestamp = this.now();
    const converted = data.map((datum) => toCloudWatch(datum, timestamp));
    for (let start = 0; start < converted.length; start += METRICS_PER_REQUEST) {
      await this.client.send(
        new PutMetricDataCommand({
          Namespace: this.namespace,
          MetricData: converted.slice(start, start + METRICS_PER_REQUEST),
        }),
      );
    }
  }
}

function toCloudWatch(datum: MetricDatum, timestamp: Date): CloudWatchDatum {
  return {
    MetricName: datum.name,
    Value: datum.value,
    Unit: datum.unit,
    Timestamp: timestamp,
    Dimensions: Object.entries(datum.dimensions).map(([Name, Value]) => ({ Name, Value })),
  };
}
