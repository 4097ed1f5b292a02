// The Metrics port for local runs: each datum as a JSON line in `.stepmigrate/metrics.jsonl`,
// with the time and namespace CloudWatch would have recorded.
import { join } from 'node:path';
import type { MetricDatum, Metrics } from '../ports.ts';
import { appendText, readTextIfExists } from './local-file.ts';

export interface RecordedMetric extends MetricDatum {
  namespace: string;
  at: string;
}

export class LocalMetrics implements Metrics {
  constructor(
    readonly file: string,
    private readonly namespace = 'StepMigrate',
  ) {}

  static forProject(projectDir: string): LocalMetrics {
    return new LocalMetrics(join(projectDir, '.stepmigrate', 'metrics.jsonl'));
  }

  async put(data: readonly MetricDatum[]): Promise<void> {
    if (data.length === 0) return;
    const at = new Date().toISOString();
    const lines = data.map((datum) => JSON.stringify({ namespace: this.namespace, at, ...datum })).join('\n');
    appendText(this.file, `${lines}\n`);
  }

  /** Everything recorded so far, oldest first. */
  async readAll(): Promise<RecordedMetric[]> {
    const text = await readTextIfExists(this.file);
    if (text === undefined) return [];
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as RecordedMetric);
  }
}
