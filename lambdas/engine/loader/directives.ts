// `-- lint:allow <rule-id> <reason>` lines, which every layout honours anywhere in a file.
import { normalizeLineEndings } from '../checksum.ts';
import type { LintAllow } from '../model.ts';
import type { LoaderProblem } from './problems.ts';

export type Report = (line: number | undefined, message: string) => void;

const directivePattern = /^--\s*lint:(\S*)(.*)$/;
const lintAllowPattern = /^\s+(\S+)(?:\s+(.*))?$/;

/** Reads `line` if it is a `-- lint:` directive: adds an allow, or reports what is wrong with it. */
export function readLintDirective(
  line: string,
  lineNumber: number,
  lintAllows: LintAllow[],
  report: Report,
): void {
  const directive = directivePattern.exec(line.trimEnd());
  if (!directive) return;
  const [, name, rest] = directive;
  if (name !== 'allow') {
    report(
      lineNumber,
      `unknown directive "-- lint:${name}"; the only lint directive is "-- lint:allow <rule-id> <reason>"`,
    );
    return;
  }
  const match = lintAllowPattern.exec(rest!);
  const reason = match?.[2]?.trim();
  if (!match || !reason) {
    const rule = match?.[1] ?? '<rule-id>';
    report(
      lineNumber,
      `"-- lint:allow" needs a rule id and a reason, e.g. "-- lint:allow ${rule} table is empty in every environment"`,
    );
    return;
  }
  lintAllows.push({ rule: match[1]!, reason, line: lineNumber });
}

/** Every lint directive of a whole file (for layouts whose files have no section markers). */
export function scanLintDirectives(
  file: string,
  text: string,
): { lintAllows: LintAllow[]; problems: LoaderProblem[] } {
  const lintAllows: LintAllow[] = [];
  const problems: LoaderProblem[] = [];
  const report: Report = (line, message) => problems.push({ file, line, message });
  normalizeLineEndings(text)
    .split('\n')
    .forEach((line, index) => {
      readLintDirective(line, index + 1, lintAllows, report);
    });
  return { lintAllows, problems };
}
