// Turns offsets into a section into 1-based file line and character column: UTF-8 byte
// offsets (libpg-query's `stmt_location` and every node's `location`) and code point offsets
// (PostgreSQL's error positions).
export interface FilePosition {
  line: number;
  column: number;
}

export class SectionPositions {
  private readonly bytes: Buffer;
  private readonly lineStarts: number[] = [0];

  /** `startLine` is the file line on which `sql` begins. */
  constructor(
    sql: string | Buffer,
    private readonly startLine: number,
  ) {
    this.bytes = typeof sql === 'string' ? Buffer.from(sql, 'utf8') : sql;
    for (let i = this.bytes.indexOf(0x0a); i !== -1; i = this.bytes.indexOf(0x0a, i + 1)) {
      this.lineStarts.push(i + 1);
    }
  }

  at(byteOffset: number): FilePosition {
    const offset = Math.max(0, Math.min(byteOffset, this.bytes.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    const lineStart = this.lineStarts[low]!;
    return {
      line: this.startLine + low,
      column: codePointLength(this.bytes.toString('utf8', lineStart, offset)) + 1,
    };
  }
}

function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** File position of a 0-based code point offset into `sql` (how PostgreSQL reports error cursors). */
export function positionOfCharOffset(sql: string, charOffset: number, startLine: number): FilePosition {
  let line = startLine;
  let column = 1;
  let index = 0;
  for (const char of sql) {
    if (index >= charOffset) break;
    index++;
    if (char === '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return { line, column };
}
