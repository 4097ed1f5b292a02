// Just enough SQL lexing for the loader: is there anything but comments and whitespace?

/**
 * 0-based line (within `text`) of the first character that is neither whitespace nor part
 * of a comment (`-- …` or a nested `/* … *\/`), or null when the text holds no SQL at all.
 */
export function firstSqlLine(text: string): number | null {
  let line = 0;
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char === '\n') {
      line++;
      i++;
    } else if (char === ' ' || char === '\t' || char === '\r' || char === '\f' || char === '\v') {
      i++;
    } else if (text.startsWith('--', i)) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    } else if (text.startsWith('/*', i)) {
      const skipped = skipBlockComment(text, i);
      line += countNewlines(text, i, skipped);
      i = skipped;
    } else {
      return line;
    }
  }
  return null;
}

export function hasSql(text: string): boolean {
  return firstSqlLine(text) !== null;
}

/** Index just after the block comment that starts at `start`; PostgreSQL nests them. */
function skipBlockComment(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    if (text.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (text.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return text.length;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (text[i] === '\n') count++;
  return count;
}
