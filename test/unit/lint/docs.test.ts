// docs/lint-rules.md is what people read when a finding surprises them: it must list every
// rule with the severity the code really uses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { RULES } from '../../../lambdas/engine/lint/index.ts';

const docs = readFileSync(new URL('../../../docs/lint-rules.md', import.meta.url), 'utf8');

describe('docs/lint-rules.md', () => {
  it.each(RULES.map((rule) => [rule.id, rule.severity] as const))('lists %s as %s', (id, severity) => {
    expect(docs).toContain(`| \`${id}\` | ${severity} |`);
  });
});
