// How an error is put in words: its place once, and lines that fit the terminal.
import { describe, expect, it } from '@jest/globals';
import { errorText, wrapText } from '../../../cli/output.ts';

describe('errorText', () => {
  it('puts the place first, once', () => {
    const place = { file: 'f.sql', line: 3, column: 5 };
    expect(errorText({ name: 'InputError', message: 'syntax error', ...place })).toBe(
      'f.sql:3:5: syntax error',
    );
    expect(errorText({ name: 'InputError', message: 'f.sql:3:5: syntax error', ...place })).toBe(
      'f.sql:3:5: syntax error',
    );
  });
});

describe('wrapText', () => {
  it('breaks at spaces within the width, and indents what follows', () => {
    const text = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen';
    const lines = wrapText(text, 40, '  ');
    expect(lines.every((line) => line.length <= 40)).toBe(true);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toBe(text);
    expect(lines[1]?.startsWith('  ')).toBe(true);
  });

  it('leaves text alone off a terminal', () => {
    expect(wrapText('x '.repeat(200), undefined)).toEqual(['x '.repeat(200)]);
  });
});
