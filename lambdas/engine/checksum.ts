// A migration's checksum is what makes tampering visible: it must not change when the
// same file is checked out on Windows (CRLF) or by an old Mac editor (CR).
import { createHash } from 'node:crypto';

/** Turns CRLF and lone CR line endings into LF. */
export function normalizeLineEndings(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** SHA-256 (lowercase hex) of a section's SQL, after line-ending normalisation. */
export function checksumSql(sql: string): string {
  return createHash('sha256').update(normalizeLineEndings(sql), 'utf8').digest('hex');
}
