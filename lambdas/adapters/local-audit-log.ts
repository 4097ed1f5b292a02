// The AuditLog port for local runs: one JSON record per line in `.stepmigrate/audit.jsonl`.
// Appending a line is atomic enough for one runner per project (the run lease sees to that).
import { join } from 'node:path';
import type { AuditLog, AuditQuery, AuditRecord } from '../ports.ts';
import { appendText, readTextIfExists } from './local-file.ts';

export class LocalAuditLog implements AuditLog {
  constructor(readonly file: string) {}

  static forProject(projectDir: string): LocalAuditLog {
    return new LocalAuditLog(join(projectDir, '.stepmigrate', 'audit.jsonl'));
  }

  async append(record: AuditRecord): Promise<void> {
    appendText(this.file, `${JSON.stringify(record)}\n`);
  }

  async list(query: AuditQuery): Promise<AuditRecord[]> {
    const matching = (await this.readAll(query)).filter(
      (r) =>
        (query.database === undefined || r.database === query.database) &&
        (query.executionId === undefined || r.executionId === query.executionId),
    );
    return matching.reverse().slice(0, query.limit ?? matching.length);
  }

  /**
   * Oldest first; a torn last line (a crash mid-append) is skipped, not fatal. A value the
   * query filters on is in a matching line exactly as JSON.stringify wrote it, so lines
   * without it are skipped unparsed: Report reads one run's records out of every run's.
   */
  private async readAll(query: AuditQuery): Promise<AuditRecord[]> {
    const text = await readTextIfExists(this.file);
    if (text === undefined) return [];
    const wanted = [query.executionId, query.database]
      .filter((value) => value !== undefined)
      .map((value) => JSON.stringify(value));
    const records: AuditRecord[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '' || !wanted.every((value) => line.includes(value))) continue;
      try {
        records.push(JSON.parse(line) as AuditRecord);
      } catch {
        // ignore a partial line
      }
    }
    return records;
  }
}
