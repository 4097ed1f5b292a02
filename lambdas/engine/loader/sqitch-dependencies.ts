// Sqitch deploys in plan order and checks dependencies against it, so does stepmigrate:
// a required change must come earlier in the plan (a later or unknown one, or a cycle, is
// refused), and a conflicting change must not be deployed before it — in a plan applied in
// order, an earlier change always is. Changes of other projects (`project:change`) cannot
// be checked from this project and are refused.
import type { LoaderProblem } from './problems.ts';
import type { SqitchChange, SqitchChanges } from './sqitch-changes.ts';
import { PLAN_FILE, type PlanDependency } from './sqitch-plan.ts';

export function dependencyProblems(plan: SqitchChanges, project: string | undefined): LoaderProblem[] {
  const problems: LoaderProblem[] = [];
  for (const current of plan.changes) {
    const report = (message: string) =>
      problems.push({
        file: PLAN_FILE,
        line: current.change.line,
        message: `change "${current.change.name}" ${message}`,
      });
    for (const dependency of [...current.change.requires, ...current.change.conflicts]) {
      if (dependency.project !== undefined && dependency.project !== project) {
        report(
          `depends on "${dependency.text}" of another Sqitch project; stepmigrate reads one project and cannot check another's changes — deploy project ${dependency.project} first and remove the cross-project dependency from this line`,
        );
        continue;
      }
      const message = dependency.conflict
        ? conflictProblem(plan, current, dependency)
        : requirementProblem(plan, current, dependency);
      if (message) report(message);
    }
  }
  return problems;
}

/** The appearance a dependency names, among those above `current`; a message when there is none. */
function requirementProblem(
  plan: SqitchChanges,
  current: SqitchChange,
  dependency: PlanDependency,
): string | null {
  const before = earlierAppearances(plan, current, dependency);
  if (typeof before === 'string') return before;
  if (before.length > 0) return null;
  if (dependency.change === current.change.name) {
    return `depends on itself ("${dependency.text}"); remove it from its own dependencies`;
  }
  const later = plan.changes.find((c) => c.index > current.index && c.change.name === dependency.change);
  if (!later) {
    return `depends on "${dependency.text}", which is not in the plan; add that change above it, or fix the name`;
  }
  const cycle = cyclePath(plan, later, current.change.name, [current.change.name, later.change.name]);
  if (cycle) return `is part of a dependency cycle: ${cycle.join(' → ')}; break the cycle`;
  return `depends on "${dependency.text}", which comes later in the plan (${PLAN_FILE}:${later.change.line}); Sqitch deploys in plan order, so move "${later.change.name}" above "${current.change.name}"`;
}

function conflictProblem(
  plan: SqitchChanges,
  current: SqitchChange,
  dependency: PlanDependency,
): string | null {
  const before = earlierAppearances(plan, current, dependency);
  if (typeof before === 'string' || before.length === 0) return null;
  const deployed = before.at(-1)!;
  return `conflicts with "${dependency.change}" (${PLAN_FILE}:${deployed.change.line}), which is deployed before it in plan order, so it can never be deployed; remove the conflict, or rework the change instead`;
}

/** Appearances of the dependency above `current` (at or before its tag, when it names one), or a problem. */
function earlierAppearances(
  plan: SqitchChanges,
  current: SqitchChange,
  dependency: PlanDependency,
): SqitchChange[] | string {
  let limit = current.index;
  if (dependency.tag !== undefined && dependency.tag !== 'HEAD') {
    const tag = plan.tags.find((t) => t.tag.name === dependency.tag);
    if (!tag) return `depends on "${dependency.text}", but there is no tag @${dependency.tag} in the plan`;
    if (tag.changesBefore > current.index) {
      return `depends on "${dependency.text}", but tag @${dependency.tag} comes later in the plan (${PLAN_FILE}:${tag.tag.line})`;
    }
    limit = tag.changesBefore;
  }
  return plan.changes.filter((c) => c.index < limit && c.change.name === dependency.change);
}

/** A path of requirements from `from` back to `target`, when there is one. */
function cyclePath(plan: SqitchChanges, from: SqitchChange, target: string, path: string[]): string[] | null {
  for (const requirement of from.change.requires) {
    if (requirement.change === target) return [...path, target];
    if (path.includes(requirement.change)) continue;
    const next = plan.changes.find((c) => c.change.name === requirement.change);
    const found = next && cyclePath(plan, next, target, [...path, requirement.change]);
    if (found) return found;
  }
  return null;
}
