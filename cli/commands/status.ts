// `stepmigrate status`: which migrations are applied, pending or dirty, and whether any
// applied file changed since. Reads only; never creates the history schema.
import type { Command } from 'commander';
import { readRunHistory } from '../../lambdas/engine/adopt/import-history.ts';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { ExitCode } from '../../lambdas/engine/errors.ts';
import { describeHolder } from '../../lambdas/engine/run-lease.ts';
import { computeStatus, type DatabaseStatus, differentSetMessage } from '../../lambdas/engine/status.ts';
import type { LeaseHolder } from '../../lambdas/ports.ts';
import { addLocalOptions, type LocalOptions, openLocalEngine } from '../local/project.ts';
import { type OutputSink, paint, processSink } from '../sink.ts';

export async function readStatus(ctx: EngineContext): Promise<DatabaseStatus> {
  const { entries: history } = await ctx.db.withConnection((conn) => readRunHistory(conn, ctx));
  return computeStatus(ctx.migrations, history);
}

/** The run lease as `status` shows it: who holds it, and whether that run still goes. */
export interface LeaseStatus extends LeaseHolder {
  /** true: it runs; false: it is gone (the next run takes the lease over); null: cannot tell. */
  running: boolean | null;
}

export async function readLease(ctx: EngineContext, database: string): Promise<LeaseStatus | undefined> {
  const holder = await ctx.lease.holder(database);
  if (holder === undefined) return undefined;
  const running = ctx.holders ? await ctx.holders.isRunning(holder) : undefined;
  return { ...holder, running: running ?? null };
}

export function leaseLine(lease: LeaseStatus | undefined, sink: OutputSink): string {
  if (lease === undefined) return 'lease: free';
  const who = `lease: held by ${describeHolder(lease)} until ${lease.expiresAt}`;
  if (lease.running === true) return paint(sink, 'yellow', `${who} — that run is in progress`);
  if (lease.running === false)
    return paint(sink, 'yellow', `${who} — that process is gone; the next run takes the lease over`);
  return paint(
    sink,
    'yellow',
    `${who} — its process runs elsewhere; once it is gone, free it with \`stepmigrate repair --release-lease --reason "…"\``,
  );
}

export function renderStatus(status: DatabaseStatus, ctx: EngineContext, sink: OutputSink): void {
  sink.out(
    `${ctx.db.name}: at ${status.currentVersion} — ${status.migrations.length} migrations (${ctx.migrations.layout} layout in ${ctx.migrations.directory}), ${status.pending.length} pending`,
  );
  for (const m of status.migrations) {
    const state =
      m.state === 'applied'
        ? paint(sink, m.checksumChanged ? 'red' : 'green', m.checksumChanged ? 'CHANGED' : 'applied')
        : m.state === 'dirty'
          ? paint(sink, 'red', 'DIRTY')
          : m.state === 'ignored'
            ? 'ignored'
            : paint(sink, 'yellow', m.state === 'rolled_back' ? 'rolled back' : 'pending');
    const covered = m.coveredBy ? ` (by baseline ${m.coveredBy})` : '';
    const when = m.appliedAt ? `  ${m.appliedAt.replace('T', ' ').slice(0, 19)}  ${m.appliedBy ?? ''}` : '';
    const name = m.name === m.version ? '' : m.name; // Sqitch changes are named by their version
    sink.out(
      `  ${m.version}  ${name.padEnd(32)} ${state}${covered}${m.state === 'pending' || m.state === 'ignored' ? '' : when}`,
    );
  }
  for (const row of status.dirty) {
    sink.out(
      paint(
        sink,
        'red',
        `dirty: ${row.version}_${row.name}: ${row.message ?? ''} — fix by hand, then \`stepmigrate repair ${row.version} --mark applied|rolled_back --reason "…"\``,
      ),
    );
  }
  for (const { migration } of status.drifted) {
    sink.out(
      paint(sink, 'red', `changed since applied: ${migration.file} — restore the file as it was applied`),
    );
  }
  const different = differentSetMessage(status.renamed);
  if (different) {
    sink.out(paint(sink, 'red', `${different} — is --migrations the folder of this database's migrations?`));
  }
  for (const row of status.missing) {
    sink.out(paint(sink, 'red', `applied but no file: ${row.version}_${row.name}`));
  }
}

export async function statusCommand(options: LocalOptions, sink: OutputSink): Promise<ExitCode> {
  const local = await openLocalEngine(options, undefined, { readOnly: true });
  try {
    const status = await readStatus(local.ctx);
    const lease = await readLease(local.ctx, local.ctx.db.name);
    if (options.json) {
      sink.out(
        JSON.stringify(
          {
            database: local.ctx.db.name,
            layout: local.ctx.migrations.layout,
            ...status,
            lease: lease ?? null,
          },
          null,
          2,
        ),
      );
    } else {
      renderStatus(status, local.ctx, sink);
      sink.out(leaseLine(lease, sink));
    }
    return ExitCode.ok;
  } finally {
    await local.close();
  }
}

export function register(program: Command): void {
  const command = program
    .command('status')
    .description(
      'show applied, pending and dirty migrations, files changed since they were applied, and the run lease',
    );
  addLocalOptions(command).action(async (options: LocalOptions) => {
    process.exitCode = await statusCommand(options, processSink());
  });
}
