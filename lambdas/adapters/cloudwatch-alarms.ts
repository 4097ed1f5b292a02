// The AlarmReader port on CloudWatch: which of the bake alarms are in ALARM right now.
import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { BakeAlarmError } from '../engine/errors.ts';
import type { AlarmReader } from '../ports.ts';

export interface CloudWatchAlarmsOptions {
  client: CloudWatchClient;
}

/** DescribeAlarms takes at most 100 alarm names per request. */
const NAMES_PER_REQUEST = 100;

export class CloudWatchAlarms implements AlarmReader {
  private readonly client: CloudWatchClient;

  constructor(options: CloudWatchAlarmsOptions) {
    this.client = options.client;
  }

  /**
   * Throws BakeAlarmError when a name does not exist: watching an alarm that is not there
   * would let a bad deployment through silently.
   */
  async alarmsInAlarm(names: readonly string[]): Promise<string[]> {
    const states = new Map<string, string | undefined>();
    for (let start = 0; start < names.length; start += NAMES_PER_REQUEST) {
      const batch = names.slice(start, start + NAMES_PER_REQUEST);
      let nextToken: string | undefined;
      do {
        const page = await this.client.send(
          new DescribeAlarmsCommand({
            AlarmNames: batch,
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            NextToken: nextToken,
          }),
        );
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          if (alarm.AlarmName !== undefined) states.set(alarm.AlarmName, alarm.StateValue);
        }
        nextToken = page.NextToken;
      } while (nextToken !== undefined);
    }
    const missing = names.filter((name) => !states.has(name));
    if (missing.length > 0) {
      throw new BakeAlarmError(
        `bake alarm(s) ${missing.map((name) => `"${name}"`).join(', ')} do not exist in this account and region — ` +
          'fix bakeAlarmNames of the MigrationWorkflow construct',
      );
    }
    return names.filter((name) => states.get(name) === 'ALARM');
  }
}
