// The same Squawk ids as the real Squawk (squawk-cli 2.66), case by case, over the corpus in
// test/fixtures/lint-corpus: each case is linted by stepmigrate as `stepmigrate lint` lints a
// file, and by Squawk in the same transaction mode and server version. The only differences
// allowed are the reviewed ones in deliberate-differences.json, each with its reason.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { RULES } from '../../../lambdas/engine/lint/index.ts';
import { loadSqlParser } from '../../../lambdas/engine/sql/parse.ts';
import { printSkipNote } from '../../support/debian-postgres.ts';
import {
  CORPUS_DIR,
  type CorpusCase,
  loadCorpus,
  SQUAWK_IDS,
  squawkIds,
  squawkMissing,
  stepmigrateIds,
} from '../../support/lint-corpus.ts';

type Side = 'squawk-only' | 'stepmigrate-only';

interface Differences {
  rules: { rule: string; kind: string; reason: string }[];
  cases: { side: Side; kind: string; reason: string; cases: Record<string, string[]> }[];
}

const differences = JSON.parse(
  readFileSync(join(CORPUS_DIR, 'deliberate-differences.json'), 'utf8'),
) as Differences;
const ignoredRules = new Set(differences.rules.map((entry) => entry.rule));
const missing = squawkMissing();
const corpus = loadCorpus();

/** What the reviewed list allows for one case: the ids only Squawk, or only we, report. */
function allowed(name: string): Record<Side, string[]> {
  const result: Record<Side, string[]> = { 'squawk-only': [], 'stepmigrate-only': [] };
  for (const entry of differences.cases) result[entry.side].push(...(entry.cases[name] ?? []));
  return {
    'squawk-only': result['squawk-only'].sort(),
    'stepmigrate-only': result['stepmigrate-only'].sort(),
  };
}

describe('the lint corpus', () => {
  it('holds at least 300 cases, in both transaction modes', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    expect(corpus.filter((c) => c.inTransaction).length).toBeGreaterThan(100);
    expect(corpus.filter((c) => !c.inTransaction).length).toBeGreaterThan(100);
  });

  it('lists every deliberate difference with a kind and a reason, against a case that exists', () => {
    const names = new Set(corpus.map((c) => c.name));
    for (const entry of [...differences.rules, ...differences.cases]) {
      expect(['squawk-false-positive', 'stepmigrate-execution', 'satisfied-by-design']).toContain(entry.kind);
      expect(entry.reason.length).toBeGreaterThan(40);
    }
    for (const entry of differences.cases)
      for (const name of Object.keys(entry.cases)) expect(names).toContain(name);
    for (const entry of differences.rules) expect(SQUAWK_IDS).toContain(entry.rule);
  });
});

(missing === undefined ? describe : describe.skip)('stepmigrate lint beside the real Squawk', () => {
  let theirs: Map<string, Set<string>>;

  beforeAll(async () => {
    await loadSqlParser();
    theirs = squawkIds(corpus);
  });

  it('is compared over every Squawk rule: Squawk reports each one on some case', () => {
    const seen = new Set([...theirs.values()].flatMap((ids) => [...ids]));
    const squawkRules = RULES.filter((rule) => rule.parity !== 'stepmigrate').map((rule) => rule.id);
    expect(squawkRules.filter((id) => !seen.has(id))).toEqual([]);
    expect(seen).toContain('syntax-error');
  });

  it('reports the same set of Squawk ids as Squawk on every case, apart from the reviewed differences', () => {
    const unexpected: string[] = [];
    for (const corpusCase of corpus) {
      const found = compare(corpusCase, theirs.get(corpusCase.name) ?? new Set());
      const expected = allowed(corpusCase.name);
      if (JSON.stringify(found) !== JSON.stringify(expected)) {
        unexpected.push(
          `${corpusCase.name}: squawk only ${found['squawk-only'].join(',') || '-'} (allowed ${expected['squawk-only'].join(',') || '-'}); stepmigrate only ${found['stepmigrate-only'].join(',') || '-'} (allowed ${expected['stepmigrate-only'].join(',') || '-'})`,
        );
      }
    }
    expect(unexpected).toEqual([]);
  });
});

if (missing !== undefined) printSkipNote('stepmigrate lint beside the real Squawk', missing);

function compare(corpusCase: CorpusCase, squawk: Set<string>): Record<Side, string[]> {
  const ours = stepmigrateIds(corpusCase);
  const theirs = new Set([...squawk].filter((id) => !ignoredRules.has(id)));
  return {
    'squawk-only': [...theirs].filter((id) => !ours.has(id)).sort(),
    'stepmigrate-only': [...ours].filter((id) => !theirs.has(id)).sort(),
  };
}
