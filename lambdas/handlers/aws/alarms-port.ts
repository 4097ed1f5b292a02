// The bake alarms of the Bake step: read with the CloudWatch client every step already has
// for its metrics, so only Bake's bundle holds DescribeAlarms.
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchAlarms } from '../../adapters/cloudwatch-alarms.ts';
import type { AlarmReader } from '../../ports.ts';

export function cloudWatchAlarms(client: CloudWatchClient): AlarmReader {
  return new CloudWatchAlarms({ client });
}
