// docs/aws.md promises the least IAM policy for every AWS call the CLI makes: each JSON
// snippet must parse, and every IAM action the CLI names in its errors must be in one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

const AWS_COMMAND_FILES = [
  'cli/aws/follow-execution.ts',
  'cli/aws/resolve-state-machine.ts',
  'cli/commands/start.ts',
  'cli/commands/approve.ts',
  'cli/commands/reject.ts',
  'cli/commands/audit.ts',
];

function jsonSnippets(markdown: string): unknown[] {
  return [...markdown.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => JSON.parse(match[1]!));
}

function policyActions(snippets: unknown[]): Set<string> {
  const actions = new Set<string>();
  for (const snippet of snippets) {
    const statements = (snippet as { Statement?: Array<{ Action: string | string[] }> }).Statement ?? [];
    for (const statement of statements) for (const action of [statement.Action].flat()) actions.add(action);
  }
  return actions;
}

describe('docs/aws.md', () => {
  const snippets = jsonSnippets(read('docs/aws.md'));

  it('has JSON snippets that parse', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(5);
  });

  it('grants every IAM action the AWS commands call', () => {
    const documented = policyActions(snippets);
    const used = new Set(
      AWS_COMMAND_FILES.flatMap((file) =>
        [...read(file).matchAll(/'((?:states|dynamodb):[A-Za-z]+)'/g)].map((m) => m[1]!),
      ),
    );

    expect(used.size).toBeGreaterThanOrEqual(8);
    expect([...used].filter((action) => !documented.has(action))).toEqual([]);
  });
});
