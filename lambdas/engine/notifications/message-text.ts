// Small text helpers shared by the notification messages.

/**
 * SNS e-mail subjects must be ASCII, on one line, under 100 characters; anything else makes
 * Publish fail, and a failed notification is worse than a plain subject.
 */
export function snsSubject(text: string): string {
  const ascii = text
    .replace(/[–—]/g, '-')
    .replace(/→/g, '->')
    .replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= 99 ? ascii : `${ascii.slice(0, 96)}...`;
}

/** Aligned "Label:  value" lines; rows without a value are left out. */
export function fieldLines(
  rows: ReadonlyArray<readonly [string, string | undefined]>,
  indent = '  ',
): string[] {
  const present = rows.filter(
    (row): row is readonly [string, string] => row[1] !== undefined && row[1] !== '',
  );
  const width = Math.max(...present.map(([label]) => label.length)) + 2;
  return present.map(([label, value]) => `${indent}${`${label}:`.padEnd(width)}${value}`);
}

/** Keeps a message readable in a mail or a chat line: one paragraph, bounded length. */
export function clip(text: string, max = 2000): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
