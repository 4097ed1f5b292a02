// Reads what PostgreSQL said about a failed statement (SQLSTATE, position, detail, hint)
// from a driver error without importing the driver, and places it in the migration file.
import { type FilePosition, positionOfCharOffset } from './positions.ts';

export interface DatabaseErrorInfo {
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  /** 1-based character position in the query text that was sent, when the server gave one. */
  position?: number;
}

/** lock_not_available: lock_timeout expired while waiting for a lock (a deadlock is 40P01, not this). */
const LOCK_NOT_AVAILABLE = '55P03';

export function databaseErrorInfo(error: unknown): DatabaseErrorInfo {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const record = error as Record<string, unknown>;
  const text = (key: string) => (typeof record[key] === 'string' ? (record[key] as string) : undefined);
  const position = Number(text('position'));
  return {
    code: text('code'),
    message: text('message') ?? String(error),
    detail: text('detail'),
    hint: text('hint'),
    position: Number.isInteger(position) && position > 0 ? position : undefined,
  };
}

export function isLockTimeout(info: DatabaseErrorInfo): boolean {
  return info.code === LOCK_NOT_AVAILABLE;
}

/** File line and column of a 1-based character position in `sql`, which starts at `startLine`. */
export function locate(sql: string, position: number, startLine: number): FilePosition {
  return positionOfCharOffset(sql, position - 1, startLine);
}

/** "message (detail) hint: …" in one line. */
export function describeDatabaseError(info: DatabaseErrorInfo): string {
  let text = info.message;
  if (info.detail) text += ` (${info.detail})`;
  if (info.hint) text += ` — hint: ${info.hint}`;
  return text;
}
