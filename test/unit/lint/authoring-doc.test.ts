// Every migration shown in docs/authoring.md is a real file: it must load, parse and lint
// without a single unsilenced finding, read in order so each sees the ones before it.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { lintMigrations } from '../../../lambdas/engine/lint/index.ts';
import { parseNativeMigration } from '../../../lambdas/engine/loader/native.ts';
import type { Migration } from '../../../lambdas/engine/model.ts';
import { loadSqlParser } from '../../../lambdas/engine/sql/parse.ts';

const guide = readFileSync(new URL('../../../docs/authoring.md', import.meta.url), 'utf8');
const examples = [...guide.matchAll(/<!-- example: (\S+) -->\n```sql\n([\s\S]*?)```/g)].map(
  ([, file, text]) => [file!, text!] as const,
);

beforeAll(async () => {
  await loadSqlParser();
});

describe('docs/authoring.md examples', () => {
  it('has examples to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
  });

  const loaded: Migration[] = [];
  it.each(examples)('%s lints clean', (file, text) => {
    const migration = parseNativeMigration(file, text);
    const findings = lintMigrations([migration], { earlier: [...loaded] });
    loaded.push(migration);
    expect(findings.filter((finding) => finding.severity !== 'info')).toEqual([]);
  });
});
