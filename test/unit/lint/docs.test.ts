// docs/lint-rules.md is what people read when a finding surprises them: it must list every
// rule with the severity the code really uses, and its Squawk parity table must say, rule by
// rule, what the registry and the reviewed list of deliberate differences say.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { RULES } from '../../../lambdas/engine/lint/index.ts';
import type { LintRule } from '../../../lambdas/engine/lint/rule.ts';

const docs = readFileSync(new URL('../../../docs/lint-rules.md', import.meta.url), 'utf8');
const differences = JSON.parse(
  readFileSync(new URL('../../fixtures/lint-corpus/deliberate-differences.json', import.meta.url), 'utf8'),
) as { rules: { rule: string }[]; cases: { cases: Record<string, string[]> }[] };

const STATUS: Record<LintRule['parity'], string> = {
  squawk: 'same as Squawk',
  'satisfied-by-design': 'satisfied by design',
  stepmigrate: 'stepmigrate only',
};

/** The rows of the table under `heading`, as cells. */
function tableUnder(heading: string): string[][] {
  const section = docs.slice(docs.indexOf(`\n${heading}\n`));
  const lines = section.split('\n').slice(1);
  const start = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

const withDifferences = new Set([
  ...differences.rules.map((entry) => entry.rule),
  ...differences.cases.flatMap((entry) => Object.values(entry.cases).flat()),
]);

describe('docs/lint-rules.md', () => {
  it.each(RULES.map((rule) => [rule.id, rule.severity] as const))('lists %s as %s', (id, severity) => {
    expect(docs).toContain(`| \`${id}\` | ${severity} |`);
  });

  describe('the parity table', () => {
    const rows = tableUnder('## Parity with Squawk');

    it('has one row per rule and no other', () => {
      expect(rows.map((row) => row[0])).toEqual(RULES.map((rule) => `\`${rule.id}\``).sort());
    });

    it.each(RULES.map((rule) => [rule.id, rule] as const))(
      'says what the registry says of %s',
      (_id, rule) => {
        const row = rows.find((cells) => cells[0] === `\`${rule.id}\``)!;
        const [, squawkId, aliases, status, differs] = row;
        expect(squawkId).toBe(rule.parity === 'stepmigrate' ? '—' : `\`${rule.id}\``);
        expect(aliases).toBe((rule.aliases ?? []).map((alias) => `\`${alias}\``).join(', ') || '—');
        expect(status).toBe(STATUS[rule.parity] + (rule.severity === 'off' ? ', opt-in' : ''));
        if (withDifferences.has(rule.id)) expect(differs).not.toBe('—');
        else expect(differs).toBe('—');
      },
    );
  });
});
