// Where one table is cut so that several COPY streams read it at once, each chunk its own
// object with its own digest; the table's rows are the ordered concatenation of its chunks.
//
// Inside one exported snapshot a table is cut by PAGES (ctid ranges, a TID Range Scan on
// PostgreSQL 14+), whether or not it has a primary key:
//  - each backend reads only its own pages: no chunk scans the table again, and nothing
//    depends on the planner choosing an index scan for a key range;
//  - every row is in exactly one chunk by construction: the first range is open below, the
//    last open above, and the snapshot (with the ACCESS SHARE lock that keeps VACUUM from
//    truncating) fixes which row versions exist;
//  - the chunks, concatenated in order, are byte for byte the one-stream COPY (a sequential
//    scan reads pages in the same order), so a restore loads the same rows in the same order.
// Page numbers only mean something inside one snapshot: an UPDATE moves a row to another
// page. Chunks read by separate connections WITHOUT a shared snapshot (separate Lambda
// invocations) must be cut by KEY instead (the first primary-key column, bounds from the
// column's histogram): a row keeps its key wherever it is stored. `keyRanges` builds those,
// for the measurement of that design (docs/operations.md, big tables).
import type { SqlConnection } from '../../ports.ts';
import { quoteIdent, quoteLiteral } from '../sql/identifiers.ts';

/** [from, to) of one chunk; an absent bound is open. */
export type ChunkRange =
  | { by: 'pages'; from?: number; to?: number }
  | { by: 'key'; column: string; type: string; from?: string; to?: string };

/** Chunk keys have four digits (manifest.ts chunkKey): a bigger table gets bigger chunks. */
const maxChunks = 9999;

/** TID Range Scan (ctid >= … AND ctid < … reads only those pages) came with PostgreSQL 14. */
export const pageRangesSinceVersion = 140000;

/** The WHERE condition that selects one chunk's rows. */
export function rangeCondition(range: ChunkRange): string {
  const parts: string[] = [];
  if (range.by === 'pages') {
    if (range.from !== undefined) parts.push(`ctid >= '(${range.from},0)'::pg_catalog.tid`);
    if (range.to !== undefined) parts.push(`ctid < '(${range.to},0)'::pg_catalog.tid`);
  } else {
    const column = quoteIdent(range.column);
    if (range.from !== undefined) parts.push(`${column} >= ${quoteLiteral(range.from)}::${range.type}`);
    if (range.to !== undefined) parts.push(`${column} < ${quoteLiteral(range.to)}::${range.type}`);
  }
  return parts.length > 0 ? parts.join(' AND ') : 'true';
}

export interface ChunkPlanInput {
  /** Pages of the table's main fork (pg_relation_size / block_size). */
  pages: number;
  blockSize: number;
  /** Heap bytes per chunk to aim for; a table smaller than twice this is not cut. */
  chunkBytes: number;
  /** Streams that copy at once: the chunk count is a multiple of it, so no stream idles at the end. */
  streams: number;
}

/** Page ranges covering the whole table, or [] when it is not worth cutting. */
export function pageRanges(input: ChunkPlanInput): ChunkRange[] {
  const heapBytes = input.pages * input.blockSize;
  if (input.streams < 2 || input.chunkBytes <= 0 || heapBytes < 2 * input.chunkBytes) return [];
  const wanted = Math.ceil(heapBytes / input.chunkBytes);
  const count = Math.min(input.pages, maxChunks, Math.ceil(wanted / input.streams) * input.streams);
  const bounds = Array.from({ length: count - 1 }, (_, i) => Math.round(((i + 1) * input.pages) / count));
  const ranges: ChunkRange[] = [{ by: 'pages', to: bounds[0]! }];
  for (let i = 1; i < bounds.length; i++) ranges.push({ by: 'pages', from: bounds[i - 1]!, to: bounds[i]! });
  ranges.push({ by: 'pages', from: bounds.at(-1)! });
  return ranges;
}

/**
 * `count` key ranges over the first primary-key column, cut at quantiles of its histogram
 * (pg_stats, so the table must have been analyzed), or [] when the table has no primary key
 * or no histogram.
 */
export async function keyRanges(
  connection: SqlConnection,
  oid: number,
  count: number,
): Promise<ChunkRange[]> {
  if (count < 2) return [];
  const { rows } = await connection.query<{ column: string; type: string; bounds: string[] | null }>(
    `SELECT a.attname AS column, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
            (SELECT s.histogram_bounds::text::text[] FROM pg_catalog.pg_stats s
              WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = a.attname) AS bounds
       FROM pg_catalog.pg_constraint k
       JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
      WHERE k.conrelid = $1 AND k.contype = 'p'`,
    [oid],
  );
  const key = rows[0];
  if (!key?.bounds || key.bounds.length < count + 1) return [];
  const histogram = key.bounds;
  const cuts = Array.from(
    { length: count - 1 },
    (_, i) => histogram[Math.round(((i + 1) * (histogram.length - 1)) / count)]!,
  );
  return [...cuts, undefined].map((to, i) => {
    const range: ChunkRange = { by: 'key', column: key.column, type: key.type };
    if (i > 0) range.from = cuts[i - 1]!;
    if (to !== undefined) range.to = to;
    return range;
  });
}

/** The COPY that reads one chunk: the table's copy columns, in the same text format as a whole-table COPY. */
export function copyChunkSql(
  target: { schema: string; table: string; copyColumns: readonly string[] },
  range: ChunkRange,
): string {
  const table = `${quoteIdent(target.schema)}.${quoteIdent(target.table)}`;
  const columns = target.copyColumns.map(quoteIdent).join(', ');
  return `COPY (SELECT ${columns} FROM ONLY ${table} WHERE ${rangeCondition(range)}) TO STDOUT`;
}
