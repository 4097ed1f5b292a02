// One row of the summary table at the top of bench-report.md: what was measured, beside the
// floor or peer measured in the same run, and the target. A benchmark returns its rows under
// `summary` and keeps its detailed numbers beside them.
export interface SummaryRow {
  /** What was measured, e.g. "`stepmigrate --help`, whole process". */
  what: string;
  /** Our time (or size), in `unit`. */
  value: number;
  unit: 'ms' | 's' | 'KB' | 'MB';
  /** The floor or peer measured in the same run, with its value in the same unit. */
  beside?: { what: string; value: number };
  /** The target as the issue states it, e.g. "≤ 250 ms" or "≤ 1.0× pg_dump"; an aim of our own says so ("our aim: ≤ 400 ms"). */
  target?: string;
  /** Whether the target was met on this run; omitted when it cannot be judged. */
  met?: boolean;
}

/** A cell's text with its pipes escaped, so `pg_dump … | gzip` stays one Markdown cell. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

function ratio(row: SummaryRow): string {
  if (!row.beside || row.beside.value === 0) return '';
  return `${(row.value / row.beside.value).toFixed(2)}×`;
}

/** Renders every benchmark's summary rows as one Markdown table. */
export function summaryTable(results: Record<string, unknown>): string[] {
  const rows: Array<[string, SummaryRow]> = [];
  for (const [bench, result] of Object.entries(results)) {
    const summary = (result as { summary?: SummaryRow[] } | undefined)?.summary;
    for (const row of summary ?? []) rows.push([bench, row]);
  }
  if (rows.length === 0) return [];
  const lines = [
    '## Summary',
    '',
    '| bench | what | ours | floor or peer | ratio | target | met |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const [bench, row] of rows) {
    const beside = row.beside ? cell(`${row.beside.what}: ${row.beside.value} ${row.unit}`) : '';
    const met = row.met === undefined ? '' : row.met ? 'yes' : 'no';
    lines.push(
      `| ${bench} | ${cell(row.what)} | ${row.value} ${row.unit} | ${beside} | ${ratio(row)} | ${cell(row.target ?? '')} | ${met} |`,
    );
  }
  lines.push('');
  return lines;
}
