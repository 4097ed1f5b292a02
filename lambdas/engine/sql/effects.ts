// Accumulates what one statement does while its parse tree is walked, then freezes it into
// the plain fields of a ClassifiedStatement.
import type { Change, ClassifiedStatement, LockMode } from './change.ts';
import { strongerLock } from './change.ts';
import type { SqlStatement } from './parse.ts';

export class StatementEffects {
  readonly changes: Change[] = [];
  private readonly locks = new Map<string, LockMode>();
  private readonly rewritten = new Set<string>();
  private readonly scanned = new Set<string>();
  private readonly destroyed = new Set<string>();
  destroysUnnamed: string | undefined;
  transactional = true;
  ddl = true;

  change(change: Change): this {
    this.changes.push(change);
    return this;
  }

  lock(table: string | undefined, mode: LockMode): this {
    if (table === undefined) return this;
    const held = this.locks.get(table);
    this.locks.set(table, held === undefined ? mode : strongerLock(held, mode));
    return this;
  }

  rewrite(table: string | undefined): this {
    if (table !== undefined) this.rewritten.add(table);
    return this;
  }

  scan(table: string | undefined): this {
    if (table !== undefined) this.scanned.add(table);
    return this;
  }

  destroy(table: string | undefined): this {
    if (table !== undefined) this.destroyed.add(table);
    return this;
  }

  finish(statement: SqlStatement): ClassifiedStatement {
    const classified: ClassifiedStatement = {
      ...statement,
      changes: this.changes,
      locks: [...this.locks].map(([table, mode]) => ({ table, mode })),
      rewrites: [...this.rewritten],
      scans: [...this.scanned],
      destroys: [...this.destroyed],
      transactional: this.transactional,
      ddl: this.ddl,
    };
    if (this.destroysUnnamed !== undefined) classified.destroysUnnamed = this.destroysUnnamed;
    return classified;
  }
}
