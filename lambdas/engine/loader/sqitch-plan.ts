// `sqitch.plan`, read by Sqitch's own rules (App::Sqitch::Plan, the parser of every Sqitch
// release since 1.0): a header of pragmas (`%project=…`) ended by the first blank line, then
// changes (`name [deps] 2024-01-02T03:04:05Z Planner <email> # note`) and tags (`@v1 … # note`).
// Every `%syntax-version` is read with these rules, as Sqitch does (1.0.0-b1 and -b2 plans
// included). A note starts at the first `#` of a line, with or without blanks before it
// (`<a@b.c># note`). Lines end at LF; a CR before it is dropped, a lone CR is no line end.
// Pure syntax: what each line says, with its line number. Whether the dependencies make
// sense is checked by sqitch-dependencies.ts, which needs the whole plan.
import type { LoaderProblem } from './problems.ts';

export const PLAN_FILE = 'sqitch.plan';

export interface PlanDependency {
  /** The referenced change name, without project or tag ('' for a tag-only `@tag`). */
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

// Perl's [[:blank:]] under Unicode rules: horizontal white space.
const BLANK = String.raw`[\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]`;
// Like [:punct:] but without "_" (Sqitch's own list).
const PUNCT = '\\-!"#$%&\'()*+,./:;<=>?@\\[\\\\\\]^`{|}~';
// A Perl \w character under Unicode rules; a name ends in one and the next is none (Perl's \b).
const WORD = String.raw`[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]`;
// Sqitch's name: no punctuation first or last, no blank, ':', '@', '#' or '\' anywhere, and
// no symbolic-reference look-alike ("~2", "^3") inside.
const NAME = String.raw`(?![${PUNCT}])(?:(?![~/=%^\[\]]\d+(?:$|${BLANK}))[^\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000:@#\\])+(?<![${PUNCT}])(?<=${WORD})(?!${WORD})`;
const TIMESTAMP = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z`;

const blankOrNote = new RegExp(`^${BLANK}*(?:#${BLANK}*(.+)|$)`, 'u');
const inlineNote = new RegExp(`${BLANK}*(?:#${BLANK}*(.*))?$`, 'u');
const pragmaPattern = new RegExp(
  String.raw`^${BLANK}*%${BLANK}*([^${PUNCT}](?:[^\t =]*?[^${PUNCT}\t ])?)(?:${BLANK}*=${BLANK}*(.+))?$`,
  'u',
);
const entryPattern = new RegExp(
  String.raw`^${BLANK}*(?:@|${BLANK}*([+-])${BLANK}*)?(${NAME})${BLANK}*(?:\[([^\]]+)\]${BLANK}*)?(?:(${TIMESTAMP})${BLANK}*)?(?:([^<]+)${BLANK}+<([^>]+)>)?$`,
  'u',
);
const timestampAnywhere = new RegExp(TIMESTAMP);
const dependencyPattern = new RegExp(
  `^(!?)(?:(${NAME}):)?(?:([0-9a-f]{40})|(${NAME})(?:@(${NAME}))?|(?:@(${NAME}))?)$`,
  'u',
);
const nameOnly = new RegExp(`^${NAME}$`, 'u');
const RESERVED = new Set(['ROOT', 'HEAD']);

type Report = (line: number, message: string) => void;

/** Parses the plan text; problems name `sqitch.plan:<line>` (or `file`, when the plan lives elsewhere). */
export function parseSqitchPlan(
  text: string,
  file = PLAN_FILE,
): { plan: SqitchPlan; problems: LoaderProblem[] } {
  const plan: SqitchPlan = { entries: [] };
  const problems: LoaderProblem[] = [];
  const report: Report = (line, message) => problems.push({ file, line, message });
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines.at(-1) === '') lines.pop();
  let inHeader = true;
  const sinceTag = new Map<string, number>();
  lines.forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/\r$/, '');
    const blank = blankOrNote.exec(content);
    if (blank) {
      // The header ends at the first line with nothing on it, not at a comment.
      if (blank[1] === undefined) inHeader = false;
      return;
    }
    const note = inlineNote.exec(content)!;
    const body = content.slice(0, note.index);
    if (inHeader) readPragma(body, plan, line, report);
    else readEntry(body, note[1] ?? '', plan, sinceTag, line, report);
  });
  if (plan.project === undefined) {
    problems.unshift({
      file,
      line: 1,
      message: `${file} has no %project pragma; Sqitch refuses such a plan: add "%project=<name>" at the top`,
    });
  }
  return { plan, problems };
}

function readPragma(text: string, plan: SqitchPlan, line: number, report: Report): void {
  const match = pragmaPattern.exec(text);
  if (!match) {
    report(
      line,
      `"${text.trim()}" is not a pragma, and a blank line must come between the pragmas (%name=value) and the first change, as Sqitch requires; add the blank line`,
    );
    return;
  }
  const [, name, value = '1'] = match;
  if (name === 'project') {
    if (!nameOnly.test(value)) {
      report(
        line,
        `invalid project name "${value}": project names must not begin with punctuation, contain "@", ":", "#", "\\", "[", "]" or blanks, or end in punctuation`,
      );
      return;
    }
    plan.project = value;
  } else if (name === 'uri') plan.uri = value;
  // Sqitch reads every syntax version with the same rules (it writes 1.0.0 back).
  else if (name === 'syntax-version') plan.syntaxVersion = value;
}

function readEntry(
  text: string,
  rawNote: string,
  plan: SqitchPlan,
  sinceTag: Map<string, number>,
  line: number,
  report: Report,
): void {
  const isTag = /^\s*@/.test(text);
  const match = entryPattern.exec(text);
  const [, operator, name, dependencies, timestamp, planner] = match ?? [];
  const shape = isTag
    ? '"@name <date> <planner name> <email> # note"'
    : '"name [dependencies] <date> <planner name> <email> # note"';
  if (!name || (!timestamp && timestampAnywhere.test(text))) {
    report(
      line,
      `cannot read "${text.trim()}": invalid name; names must not begin with punctuation, contain "@", ":", "#", "\\", "[", "]" or blanks, or end in punctuation (Sqitch writes ${shape})`,
    );
    return;
  }
  const missing =
    !timestamp && !planner
      ? 'timestamp and planner name and email'
      : !timestamp
        ? 'timestamp'
        : !planner
          ? 'planner name and email'
          : '';
  if (missing) {
    report(line, `"${text.trim()}" is missing its ${missing}; Sqitch writes ${shape}`);
    return;
  }
  const label = isTag ? `@${name}` : name;
  if (RESERVED.has(name)) {
    report(line, `"${label}" is a reserved name; rename it`);
    return;
  }
  if (/^[0-9a-f]{40}/.test(name)) {
    report(line, `"${name}" could be confused with a SHA1 ID; rename it`);
    return;
  }
  const note = unescapeNote(rawNote);
  if (isTag) {
    readTag(name, dependencies, note, plan, sinceTag, line, report);
    return;
  }
  if (operator === '-') {
    report(
      line,
      `"-${name}" reverts a change inside the plan (an old Sqitch syntax); stepmigrate does not read it — rework the change instead (sqitch rework)`,
    );
    return;
  }
  const earlier = sinceTag.get(name);
  if (earlier !== undefined) {
    report(
      line,
      `change "${name}" duplicates the declaration on line ${earlier}; a change can only appear again after a tag (sqitch rework)`,
    );
    return;
  }
  const parsed = (dependencies ?? '')
    .split(/\s+/)
    .filter((token) => token !== '')
    .map((token, index, all) => {
      if (all.indexOf(token) !== index) {
        report(line, `duplicate dependency "${token}"; remove one`);
        return null;
      }
      return readDependency(token, line, report);
    });
  sinceTag.set(name, line);
  const valid = parsed.filter((dependency): dependency is PlanDependency => dependency !== null);
  plan.entries.push({
    kind: 'change',
    name,
    line,
    requires: valid.filter((dependency) => !dependency.conflict),
    conflicts: valid.filter((dependency) => dependency.conflict),
    note,
  });
}

function readTag(
  name: string,
  dependencies: string | undefined,
  note: string,
  plan: SqitchPlan,
  sinceTag: Map<string, number>,
  line: number,
  report: Report,
): void {
  if (name.includes('/')) {
    report(line, `tag @${name} contains "/", which Sqitch does not allow`);
    return;
  }
  if (!plan.entries.some((entry) => entry.kind === 'change')) {
    report(line, `tag @${name} comes before any change; a tag marks the changes above it`);
    return;
  }
  const earlier = plan.entries.find((entry) => entry.kind === 'tag' && entry.name === name);
  if (earlier) {
    report(line, `tag @${name} is already in the plan (line ${earlier.line}); tag names must be unique`);
    return;
  }
  if (dependencies !== undefined) {
    report(line, `tag @${name} has dependencies; tags may not have any`);
    return;
  }
  sinceTag.clear();
  plan.entries.push({ kind: 'tag', name, line, note });
}

function readDependency(token: string, line: number, report: Report): PlanDependency | null {
  const match = dependencyPattern.exec(token);
  if (!match || token === '!' || /^!?(?:[^:]*:)?$/.test(token)) {
    report(
      line,
      `cannot read dependency "${token}"; write change, change@tag, @tag, project:change or !change`,
    );
    return null;
  }
  const [, bang, project, id, change, changeTag, onlyTag] = match;
  if (id !== undefined) {
    report(
      line,
      `dependency "${token}" names a change by its SHA1 ID, which stepmigrate cannot resolve; name the change instead`,
    );
    return null;
  }
  const dependency: PlanDependency = { change: change ?? '', conflict: bang === '!', text: token };
  const tag = changeTag ?? onlyTag;
  if (tag !== undefined) dependency.tag = tag;
  if (project !== undefined) dependency.project = project;
  return dependency;
}

function unescapeNote(note: string): string {
  return note.replace(/\\n/g, '\n').replace(/\\\\/g, '\\').trim();
}
