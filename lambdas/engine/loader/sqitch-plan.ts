// `sqitch.plan`, read as Sqitch writes it: pragmas (`%project=…`), changes
// (`name [deps] 2024-01-02T03:04:05Z Planner <email> # note`) and tags (`@v1 … # note`).
// Pure syntax: what each line says, with its line number. Whether the dependencies make
// sense is checked by sqitch-dependencies.ts, which needs the whole plan.
import type { LoaderProblem } from './problems.ts';

export const PLAN_FILE = 'sqitch.plan';

export interface PlanDependency {
  /** The referenced change name, without project or tag. */
  change: string;
  /** `change@tag`: the change as it was at that tag. */
  tag?: string;
  /** `project:change`: a change of another Sqitch project. */
  project?: string;
  /** `!change`: must not be deployed together with this one. */
  conflict: boolean;
  /** As written, for messages. */
  text: string;
}

export interface PlanChange {
  kind: 'change';
  name: string;
  line: number;
  requires: PlanDependency[];
  conflicts: PlanDependency[];
  note: string;
}

export interface PlanTag {
  kind: 'tag';
  name: string;
  line: number;
  note: string;
}

export interface SqitchPlan {
  project?: string;
  syntaxVersion?: string;
  uri?: string;
  /** Changes and tags in plan order. */
  entries: Array<PlanChange | PlanTag>;
}

// Sqitch's own rules: no blanks, ':', '@', '#' or '\' in a name; no punctuation at either end.
const NAME = String.raw`[^\s:@#\\\[\]]+`;
const TIMESTAMP = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z`;
const PLANNER = String.raw`(?:\S.*?\s+)?<[^>]*>`;
const NOTE = String.raw`(?:\s+#\s?(.*))?`;
const changePattern = new RegExp(
  String.raw`^([+-]?)(${NAME})(?:\s+\[([^\]]*)\])?\s+${TIMESTAMP}\s+${PLANNER}${NOTE}\s*$`,
);
const tagPattern = new RegExp(String.raw`^@(${NAME})\s+${TIMESTAMP}\s+${PLANNER}${NOTE}\s*$`);
const pragmaPattern = /^%\s*([\w-]+)\s*(?:=\s*(.*?))?\s*$/;
const dependencyPattern = /^(!?)(?:([^\s:@#\\!]+):)?([^\s:@#\\!]*)(?:@([^\s:@#\\]+))?$/;
const badEdge = /^[-_.~/=%^!+]|[-_.~/=%^!+]$/;

/** Parses the plan text; problems name `sqitch.plan:<line>`. */
export function parseSqitchPlan(text: string): { plan: SqitchPlan; problems: LoaderProblem[] } {
  const plan: SqitchPlan = { entries: [] };
  const problems: LoaderProblem[] = [];
  const report = (line: number, message: string) => problems.push({ file: PLAN_FILE, line, message });
  text
    .replace(/^\uFEFF/, '')
    .split(/\r\n?|\n/)
    .forEach((raw, index) => {
      const line = index + 1;
      const trimmed = raw.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      if (trimmed.startsWith('%')) readPragma(trimmed, plan, line, report);
      else if (trimmed.startsWith('@')) readTag(trimmed, plan, line, report);
      else readChange(trimmed, plan, line, report);
    });
  return { plan, problems };
}

type Report = (line: number, message: string) => void;

function readPragma(text: string, plan: SqitchPlan, line: number, report: Report): void {
  const match = pragmaPattern.exec(text);
  if (!match) {
    report(line, `cannot read pragma "${text}"; write it as %name=value`);
    return;
  }
  const [, name, value = ''] = match;
  if (name === 'project') plan.project = value;
  else if (name === 'uri') plan.uri = value;
  else if (name === 'syntax-version') {
    if (!/^1(\.\d+)*$/.test(value)) {
      report(line, `%syntax-version=${value} is not supported; stepmigrate reads Sqitch plan syntax 1.x`);
    }
    plan.syntaxVersion = value;
  }
}

function readTag(text: string, plan: SqitchPlan, line: number, report: Report): void {
  const match = tagPattern.exec(text);
  if (!match) {
    report(line, `cannot read tag "${text}"; Sqitch writes tags as "@name <date> <planner> <email> # note"`);
    return;
  }
  const name = match[1]!;
  if (!plan.entries.some((entry) => entry.kind === 'change')) {
    report(line, `tag @${name} comes before any change; a tag marks the changes above it`);
    return;
  }
  if (plan.entries.some((entry) => entry.kind === 'tag' && entry.name === name)) {
    report(line, `tag @${name} is already in the plan; tag names must be unique`);
    return;
  }
  plan.entries.push({ kind: 'tag', name, line, note: unescapeNote(match[2]) });
}

function readChange(text: string, plan: SqitchPlan, line: number, report: Report): void {
  const match = changePattern.exec(text);
  if (!match) {
    report(
      line,
      `cannot read "${text}"; Sqitch writes a change as "name [dependencies] <date> <planner> <email> # note"`,
    );
    return;
  }
  const [, operator, name, dependencies = '', note] = match;
  if (operator === '-') {
    report(
      line,
      `"-${name}" reverts a change inside the plan (an old Sqitch syntax); stepmigrate does not read it — rework the change instead (sqitch rework)`,
    );
    return;
  }
  if (badEdge.test(name!)) {
    report(line, `change name "${name}" starts or ends with punctuation, which Sqitch does not allow`);
    return;
  }
  const parsed = dependencies
    .split(/\s+/)
    .filter((token) => token !== '')
    .map((token) => readDependency(token, line, report));
  const valid = parsed.filter((dependency): dependency is PlanDependency => dependency !== null);
  plan.entries.push({
    kind: 'change',
    name: name!,
    line,
    requires: valid.filter((dependency) => !dependency.conflict),
    conflicts: valid.filter((dependency) => dependency.conflict),
    note: unescapeNote(note),
  });
}

function readDependency(token: string, line: number, report: Report): PlanDependency | null {
  const match = dependencyPattern.exec(token);
  if (!match || match[3] === '') {
    report(line, `cannot read dependency "${token}"; write change, change@tag, project:change or !change`);
    return null;
  }
  const [, bang, project, change, tag] = match;
  return { change: change!, tag, project, conflict: bang === '!', text: token };
}

function unescapeNote(note: string | undefined): string {
  return (note ?? '').replace(/\\n/g, '\n').replace(/\\\\/g, '\\').trim();
}
