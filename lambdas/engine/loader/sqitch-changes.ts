// The changes of a Sqitch plan in deploy order, each with the identity it has in
// schema_history, and the tags between them.
//
// Identity: a change's name; a change that is reworked appears again later in the plan, and
// the n-th appearance (n ≥ 2) is `<name>.<n>` ("users", "users.2", "users.3"). An identity never
// changes once its plan line exists: reworking "users" later adds "users.2" and leaves
// "users" — already applied by existing databases — as it was (its scripts then come from
// `deploy/users@<tag>.sql`, which is what Sqitch's rework copies the old script to).
import type { PlanChange, PlanTag, SqitchPlan } from './sqitch-plan.ts';

export interface SqitchChange {
  /** Identity in schema_history. */
  version: string;
  change: PlanChange;
  /** Position in plan order among changes. */
  index: number;
  /**
   * Tags between this appearance and the next appearance of the same name (Sqitch's
   * "rework tags"); its scripts are named after one of them. Empty for the newest.
   */
  reworkTags: string[];
}

export interface SqitchTagPosition {
  tag: PlanTag;
  /** Identity of the change just above the tag. */
  afterVersion: string;
  /** How many changes are above it. */
  changesBefore: number;
}

export interface SqitchChanges {
  changes: SqitchChange[];
  tags: SqitchTagPosition[];
}

export function identityOf(name: string, appearance: number): string {
  return appearance === 1 ? name : `${name}.${appearance}`;
}

export function sqitchChanges(plan: SqitchPlan): SqitchChanges {
  const changes: SqitchChange[] = [];
  const tags: SqitchTagPosition[] = [];
  const appearances = new Map<string, number>();
  for (const entry of plan.entries) {
    if (entry.kind === 'tag') {
      const last = changes.at(-1);
      if (last) tags.push({ tag: entry, afterVersion: last.version, changesBefore: changes.length });
      continue;
    }
    const appearance = (appearances.get(entry.name) ?? 0) + 1;
    appearances.set(entry.name, appearance);
    changes.push({
      version: identityOf(entry.name, appearance),
      change: entry,
      index: changes.length,
      reworkTags: [],
    });
  }
  for (const current of changes) {
    const next = changes.find(
      (later) => later.index > current.index && later.change.name === current.change.name,
    );
    if (!next) continue;
    // Newest first, as Sqitch lists them: the first whose script exists names the scripts.
    const between = tags.filter(
      (tag) => tag.changesBefore > current.index && tag.changesBefore <= next.index,
    );
    current.reworkTags = between
      .sort((a, b) => b.changesBefore - a.changesBefore || a.tag.line - b.tag.line)
      .map((tag) => tag.tag.name);
  }
  return { changes, tags };
}

/**
 * File name of a change's script below its role's directory: `users.sql`, or for a reworked
 * change `users@v1.sql` after the newest of its rework tags whose deploy script exists (else the newest).
 */
export function scriptName(
  change: SqitchChange,
  extension: string,
  exists: (fileName: string) => boolean,
): string {
  const name = change.change.name;
  if (change.reworkTags.length === 0) return `${name}.${extension}`;
  const candidates = change.reworkTags.map((tag) => `${name}@${tag}.${extension}`);
  return candidates.find((candidate) => exists(candidate)) ?? candidates[0]!;
}
