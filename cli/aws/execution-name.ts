// Readable execution names: `<database>-<target>-<yyyymmddThhmmss>-<4 random>`, so the
// console list says what each run was. Step Functions allows 1–80 characters and refuses
// whitespace, brackets, wildcards and most punctuation; we keep to letters, digits, "-"
// and "_" so the name is also safe in URLs, log group names and metric dimensions.
import { randomBytes } from 'node:crypto';

const MAX_LENGTH = 80;
const UNSAFE = /[^A-Za-z0-9_-]+/g;

function safePart(text: string): string {
  return text.replace(UNSAFE, '-').replace(/^-+|-+$/g, '') || 'x';
}

function compactUtc(at: Date): string {
  return at.toISOString().slice(0, 19).replace(/[-:]/g, '');
}

function randomSuffix(): string {
  return randomBytes(3).toString('hex').slice(0, 4);
}

export function executionNameFor(
  parts: { database?: string; target: string },
  at: Date = new Date(),
  suffix: string = randomSuffix(),
): string {
  const tail = `-${safePart(parts.target).slice(0, 24)}-${compactUtc(at)}-${safePart(suffix)}`;
  const head = safePart(parts.database ?? 'migrate').slice(0, MAX_LENGTH - tail.length);
  return `${head}${tail}`;
}
