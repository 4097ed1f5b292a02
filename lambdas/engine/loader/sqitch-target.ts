// Sqitch's ways to name a point in the plan, for `--target` and `rollback --to`:
// `@tag` (after the tagged change), `change` (its newest appearance), `change@tag` (the
// change as it was at that tag), `@HEAD` (the last change) and `@ROOT` (the first one).
// A schema_history identity ("users.2") is accepted too.
import type { MigrationSet } from '../model.ts';

/** Index of the migration the target points at, or undefined when it is no Sqitch name. */
export function sqitchTargetIndex(set: MigrationSet, target: string): number | undefined {
  const migrations = set.migrations;
  const at = target.lastIndexOf('@');
  const change = at === -1 ? target : target.slice(0, at);
  const tag = at === -1 ? undefined : target.slice(at + 1);
  const limit = tagLimit(set, tag);
  if (limit === undefined) return undefined;
  if (change === '') return limit;
  for (let index = limit; index >= 0; index--) if (migrations[index]!.name === change) return index;
  if (tag !== undefined) return undefined;
  const identity = migrations.findIndex((migration) => migration.version === change);
  return identity === -1 ? undefined : identity;
}

/** Last index a tag allows: the change above the tag; the end for no tag or @HEAD. */
function tagLimit(set: MigrationSet, tag: string | undefined): number | undefined {
  const last = set.migrations.length - 1;
  if (tag === undefined || tag === 'HEAD') return last;
  if (tag === 'ROOT') return set.migrations.length > 0 ? 0 : undefined;
  const found = set.tags?.find((candidate) => candidate.name === tag);
  if (!found) return undefined;
  return set.migrations.findIndex((migration) => migration.version === found.afterVersion);
}

/** The names a Sqitch target may use, for the message when none matched. */
export function describeSqitchTargets(set: MigrationSet): string {
  const tags = (set.tags ?? []).map((tag) => `@${tag.name}`);
  const changes = [...new Set(set.migrations.map((migration) => migration.name))];
  const list = (names: string[]) =>
    names.length <= 12 ? names.join(', ') : `${names.slice(0, 6).join(', ')} … ${names.slice(-5).join(', ')}`;
  return `a tag (${tags.length > 0 ? list(tags) : 'the plan has none'}), @HEAD, @ROOT, or a change (${list(changes)}), optionally as change@tag`;
}
