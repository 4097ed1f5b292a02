import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchAlarms } from '../../../lambdas/adapters/cloudwatch-alarms.ts';
import { BakeAlarmError } from '../../../lambdas/engine/errors.ts';

const cloudwatch = mockClient(CloudWatchClient);
const alarms = () => new CloudWatchAlarms({ client: new CloudWatchClient({}) });

beforeEach(() => {
  cloudwatch.reset();
});

describe('CloudWatchAlarms', () => {
  it('returns the watched alarms that are in ALARM, metric and composite alike', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        { AlarmName: 'orders-5xx', StateValue: 'ALARM' },
        { AlarmName: 'orders-latency', StateValue: 'OK' },
      ],
      CompositeAlarms: [{ AlarmName: 'orders-health', StateValue: 'ALARM' }],
    });

    const inAlarm = await alarms().alarmsInAlarm(['orders-5xx', 'orders-latency', 'orders-health']);

    expect(inAlarm).toEqual(['orders-5xx', 'orders-health']);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input).toMatchObject({
      AlarmNames: ['orders-5xx', 'orders-latency', 'orders-health'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
  });

  it('treats INSUFFICIENT_DATA as not in alarm', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: 'orders-5xx', StateValue: 'INSUFFICIENT_DATA' }],
    });

    expect(await alarms().alarmsInAlarm(['orders-5xx'])).toEqual([]);
  });

  it('follows NextToken pages', async () => {
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }], NextToken: 'page-2' })
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'b', StateValue: 'ALARM' }] });

    expect(await alarms().alarmsInAlarm(['a', 'b'])).toEqual(['b']);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[1]!.args[0].input.NextToken).toBe('page-2');
  });

  it('refuses to bake against an alarm that does not exist, naming it', async () => {
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolves({ MetricAlarms: [{ AlarmName: 'orders-5xx', StateValue: 'OK' }] });

    const reading = alarms().alarmsInAlarm(['orders-5xx', 'orders-typo']);

    await expect(reading).rejects.toThrow(BakeAlarmError);
    await expect(reading).rejects.toThrow('"orders-typo" do not exist');
  });

  it('asks nothing when no alarms are watched', async () => {
    expect(await alarms().alarmsInAlarm([])).toEqual([]);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)).toHaveLength(0);
  });
});
