import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchMetrics } from '../../../lambdas/adapters/cloudwatch-metrics.ts';
import type { MetricDatum } from '../../../lambdas/ports.ts';

const cloudwatch = mockClient(CloudWatchClient);
const now = new Date('2026-11-21T10:00:00.000Z');

beforeEach(() => {
  cloudwatch.reset();
  cloudwatch.on(PutMetricDataCommand).resolves({});
});

describe('CloudWatchMetrics', () => {
  it('puts each datum into the StepMigrate namespace with its unit and dimensions', async () => {
    const metrics = new CloudWatchMetrics({ client: new CloudWatchClient({}), now: () => now });

    await metrics.put([
      { name: 'RunSucceeded', value: 1, unit: 'Count', dimensions: { Database: 'orders' } },
      {
        name: 'StepDurationMs',
        value: 812,
        unit: 'Milliseconds',
        dimensions: { Database: 'orders', Step: 'Apply' },
      },
    ]);

    const calls = cloudwatch.commandCalls(PutMetricDataCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Namespace: 'StepMigrate',
      MetricData: [
        {
          MetricName: 'RunSucceeded',
          Value: 1,
          Unit: 'Count',
          Timestamp: now,
          Dimensions: [{ Name: 'Database', Value: 'orders' }],
        },
        {
          MetricName: 'StepDurationMs',
          Value: 812,
          Unit: 'Milliseconds',
          Timestamp: now,
          Dimensions: [
            { Name: 'Database', Value: 'orders' },
            { Name: 'Step', Value: 'Apply' },
          ],
        },
      ],
    });
  });

  it('splits more than 1000 data points into requests of at most 1000', async () => {
    const metrics = new CloudWatchMetrics({ client: new CloudWatchClient({}), namespace: 'Custom' });
    const data: MetricDatum[] = Array.from({ length: 2345 }, (_, index) => ({
      name: 'BackupBytes',
      value: index,
      unit: 'Bytes',
      dimensions: { Database: 'orders' },
    }));

    await metrics.put(data);

    const sizes = cloudwatch
      .commandCalls(PutMetricDataCommand)
      .map((call) => call.args[0].input.MetricData?.length);
    expect(sizes).toEqual([1000, 1000, 345]);
    expect(cloudwatch.commandCalls(PutMetricDataCommand)[2]!.args[0].input.Namespace).toBe('Custom');
  });

  it('sends nothing when there is nothing to put', async () => {
    await new CloudWatchMetrics({ client: new CloudWatchClient({}) }).put([]);

    expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });
});
