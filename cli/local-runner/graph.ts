// Draws the synthesized definition: Mermaid for docs (GitHub renders it), DOT for Graphviz.
// Every transition the state machine can take is drawn: Next, Choice rules, Default, Catch
// (dashed) and Retry (a loop), with Map states as a box around their item processor.
import type { AslDefinition, AslState } from './resolve-definition.ts';

export type GraphFormat = 'mermaid' | 'dot';

export interface Edge {
  from: string;
  to: string;
  label?: string;
  kind: 'next' | 'choice' | 'catch' | 'retry';
}

interface ChoiceRule {
  Variable?: string;
  And?: ChoiceRule[];
  Or?: ChoiceRule[];
  Not?: ChoiceRule;
  Next?: string;
  [operator: string]: unknown;
}

const OPERATORS: Record<string, string> = {
  StringEquals: '=',
  BooleanEquals: '=',
  NumericEquals: '=',
  NumericGreaterThan: '>',
  NumericLessThan: '<',
  NumericGreaterThanEquals: '>=',
  NumericLessThanEquals: '<=',
};

export function describeRule(rule: ChoiceRule): string {
  if (rule.And) return rule.And.map(describeRule).join(' and ');
  if (rule.Or) return rule.Or.map(describeRule).join(' or ');
  if (rule.Not) return `not ${describeRule(rule.Not)}`;
  const variable = (rule.Variable ?? '').replace(/^\$\./, '');
  const operator = Object.keys(rule).find((k) => k !== 'Variable' && k !== 'Next') ?? '?';
  return `${variable} ${OPERATORS[operator] ?? operator} ${String(rule[operator])}`;
}

function edgesOf(name: string, state: AslState): Edge[] {
  const edges: Edge[] = [];
  if (typeof state.Next === 'string') edges.push({ from: name, to: state.Next, kind: 'next' });
  for (const rule of (state.Choices as ChoiceRule[] | undefined) ?? []) {
    if (rule.Next) edges.push({ from: name, to: rule.Next, label: describeRule(rule), kind: 'choice' });
  }
  if (typeof state.Default === 'string')
    edges.push({ from: name, to: state.Default, label: 'otherwise', kind: 'choice' });
  for (const retry of (state.Retry as Array<{ ErrorEquals: string[] }> | undefined) ?? []) {
    const errors = retry.ErrorEquals.filter((e) => !e.startsWith('Lambda.'));
    if (errors.length > 0)
      edges.push({ from: name, to: name, label: `retry ${errors.join(', ')}`, kind: 'retry' });
  }
  for (const c of (state.Catch as Array<{ ErrorEquals: string[]; Next: string }> | undefined) ?? []) {
    edges.push({ from: name, to: c.Next, label: `catch ${c.ErrorEquals.join(', ')}`, kind: 'catch' });
  }
  return edges;
}

function mermaidNode(name: string, state: AslState): string {
  switch (state.Type) {
    case 'Choice':
      return `${name}{${name}}`;
    case 'Wait':
      return `${name}([${name}])`;
    case 'Succeed':
    case 'Fail':
      return `${name}((${name}))`;
    default:
      return `${name}[${name}]`;
  }
}

function mermaidEdge(edge: Edge): string {
  const arrow = edge.kind === 'catch' ? '-.->' : '-->';
  return edge.label
    ? `  ${edge.from} ${arrow}|"${edge.label}"| ${edge.to}`
    : `  ${edge.from} ${arrow} ${edge.to}`;
}

function processorOf(state: AslState): AslDefinition | undefined {
  return state.ItemProcessor ?? state.Iterator;
}

export function toMermaid(definition: AslDefinition): string {
  const lines = ['flowchart TD', `  Start([start]) --> ${definition.StartAt}`];
  const edges: Edge[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    const processor = processorOf(state);
    if (processor) {
      lines.push(`  subgraph ${name} [${name}: Map, one item at a time]`);
      for (const [inner, innerState] of Object.entries(processor.States)) {
        lines.push(`    ${mermaidNode(inner, innerState)}`);
        edges.push(...edgesOf(inner, innerState));
      }
      lines.push('  end');
    } else {
      lines.push(`  ${mermaidNode(name, state)}`);
    }
    edges.push(...edgesOf(name, state));
  }
  return [...lines, ...edges.map(mermaidEdge)].join('\n');
}

function dotShape(state: AslState): string {
  if (state.Type === 'Choice') return 'diamond';
  if (state.Type === 'Succeed' || state.Type === 'Fail') return 'doublecircle';
  if (state.Type === 'Wait') return 'ellipse';
  return 'box';
}

function dotEdge(edge: Edge): string {
  const attributes = [
    edge.label ? `label="${edge.label.replace(/"/g, '\\"')}"` : '',
    edge.kind === 'catch' ? 'style=dashed' : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `  "${edge.from}" -> "${edge.to}"${attributes ? ` [${attributes}]` : ''};`;
}

export function toDot(definition: AslDefinition): string {
  const lines = ['digraph stepmigrate {', '  rankdir=TB;', '  node [fontname="Helvetica"];'];
  const edges: Edge[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    const processor = processorOf(state);
    if (processor) {
      lines.push(`  subgraph "cluster_${name}" {`, `    label="${name}: Map, one item at a time";`);
      lines.push(`    "${name}" [shape=box, style=rounded];`);
      for (const [inner, innerState] of Object.entries(processor.States)) {
        lines.push(`    "${inner}" [shape=${dotShape(innerState)}];`);
        edges.push(...edgesOf(inner, innerState));
      }
      lines.push(`    "${name}" -> "${processor.StartAt}";`, '  }');
    } else {
      lines.push(`  "${name}" [shape=${dotShape(state)}];`);
    }
    edges.push(...edgesOf(name, state));
  }
  return [...lines, ...edges.map(dotEdge), '}'].join('\n');
}

export function renderGraph(definition: AslDefinition, format: GraphFormat): string {
  return format === 'dot' ? toDot(definition) : toMermaid(definition);
}
