// docs/architecture.md shows the workflow graph drawn by `stepmigrate graph`; when the
// definition changes, this fails until the picture is regenerated.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { PROJECT_ROOT } from '../../cli/local-runner/definition-cache.ts';
import { renderGraph } from '../../cli/local-runner/graph.ts';
import { synthesizeWorkflow } from '../../cli/local-runner/synthesize.ts';

function documentedGraph(markdown: string): string {
  const block = /<!-- graph:start -->\n```mermaid\n([\s\S]*?)\n```\n<!-- graph:end -->/.exec(markdown);
  if (!block?.[1]) throw new Error('docs/architecture.md has no ```mermaid block between the graph markers');
  return block[1];
}

describe('docs/architecture.md', () => {
  it('shows the graph of the definition CDK synthesizes now (regenerate with `npx stepmigrate graph`)', async () => {
    const markdown = await readFile(join(PROJECT_ROOT, 'docs', 'architecture.md'), 'utf8');
    const { definition } = synthesizeWorkflow(join(PROJECT_ROOT, 'migrations'));
    expect(documentedGraph(markdown)).toBe(renderGraph(definition, 'mermaid'));
  });
});
