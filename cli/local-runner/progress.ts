// Live progress of a local execution, one line per finished state: on a terminal the
// running state shows until it ends (and colour unless NO_COLOR); elsewhere plain lines.
// A step that failed gets ✗ and its error's name only, never a ✓ after it: the run's
// summary says the whole message once.

import { formatBytes } from '../../lambdas/engine/bytes.ts';
import { backupBytes } from '../../lambdas/engine/run-state.ts';
import type { ExecutionEvent } from './execute.ts';

export interface ProgressOptions {
  write(text: string): void;
  /** Redraw the running state's line in place. */
  tty: boolean;
  colour: boolean;
}

const SHOWN_TYPES = new Set(['Task', 'Wait', 'Fail']);
const NAME_WIDTH = 12;

interface StepInput {
  step?: { version?: string; name?: string; direction?: string };
}

/** A task-runner state (BackupOnTask…) reads as its step, marked "(task)". */
const ON_TASK = /OnTask$/;

/** "Apply 0004" for an Apply iteration (its name goes in the detail), the state name otherwise. */
export function stateLabel(name: string, input: unknown): string {
  const step = (input as StepInput | null)?.step;
  const base = name.replace(ON_TASK, '');
  const where = base === name ? '' : ' (task)';
  if (base === 'ApplyMigration' && step?.version)
    return `${step.direction === 'down' ? 'Revert' : 'Apply'} ${step.version}${where}`;
  return `${base}${where}`;
}

interface StateOutput {
  run?: { plan?: { fromVersion: string; toVersion: string; steps: unknown[] }; status?: string };
  backup?: {
    tables?: Array<{ bytes: number }>;
    broughtBack?: Array<{ tables: string[] }>;
    notBroughtBack?: Array<{ tables: string[] }>;
  };
  verify?: { verified?: string[] };
  rollback?: { rolledBack?: string[] };
  bake?: { checks?: number; done?: boolean };
  status?: string;
  step?: { name?: string };
  databaseSnapshotPoll?: { identifier?: string; last?: { snapshot?: { Status?: string } } };
}

/** A few words about what a step produced, from the state it left behind. */
export function stateDetail(name: string, output: unknown): string {
  const state = (output ?? {}) as StateOutput;
  switch (name.replace(ON_TASK, '')) {
    case 'Validate': {
      const plan = state.run?.plan;
      if (!plan) return '';
      if (plan.steps.length === 0) return `nothing to do, at ${plan.fromVersion}`;
      const dry = state.run?.status === 'dry_run' ? ' (dry run)' : '';
      return `${plan.fromVersion} → ${plan.toVersion}, ${plan.steps.length} migration(s)${dry}`;
    }
    case 'Backup': {
      const tables = state.backup?.tables ?? [];
      const earlier = (list?: Array<{ tables: string[] }>) => list?.flatMap((d) => d.tables) ?? [];
      const back = earlier(state.backup?.broughtBack);
      const left = earlier(state.backup?.notBroughtBack);
      const parts = [
        tables.length > 0 ? `${tables.length} table(s), ${formatBytes(backupBytes(tables))}` : '',
        back.length > 0 ? `brings back ${back.join(', ')} from an earlier backup` : '',
        left.length > 0 ? `NOT bringing back ${left.join(', ')}: restore by hand (see the summary)` : '',
      ].filter(Boolean);
      // Never "no data at risk" while an earlier backup holds values this run leaves behind.
      return parts.length > 0 ? parts.join('; ') : 'no data at risk';
    }
    case 'Verify':
      return `${state.verify?.verified?.length ?? 0} verified`;
    case 'Bake':
      return state.bake?.done ? 'alarms quiet, bake complete' : 'alarms quiet';
    case 'Rollback':
      return `rolled back ${state.rollback?.rolledBack?.join(' ') || 'nothing'}`;
    case 'ApplyMigration':
      return state.step?.name ?? '';
    case 'Report':
      return state.status ?? '';
    case 'CreateDatabaseSnapshot':
      return state.databaseSnapshotPoll?.identifier ?? '';
    case 'DescribeDatabaseSnapshot':
      return state.databaseSnapshotPoll?.last?.snapshot?.Status ?? '';
    default:
      return '';
  }
}

function firstLine(text: unknown): string {
  const line = String(text ?? '').split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function progressPrinter(options: ProgressOptions): (event: ExecutionEvent) => void {
  const paint = (code: number, text: string) => (options.colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const entered = new Map<string, number>();
  const failed = new Map<string, string>();
  let pending = false;
  const clearPending = () => {
    if (pending) options.write('\r\u001b[2K');
    pending = false;
  };
  const line = (mark: string, label: string, rest: string) => {
    clearPending();
    options.write(`  ${mark} ${label.padEnd(NAME_WIDTH)} ${rest}\n`);
  };

  return (event) => {
    if (!('state' in event) || !SHOWN_TYPES.has(event.state.type)) return;
    const key = `${event.state.name}#${event.index ?? ''}`;
    const label = stateLabel(event.state.name, event.state.input);
    const elapsed = () => formatMs(event.timestamp - (entered.get(key) ?? event.timestamp));
    switch (event.type) {
      case 'StateEntered':
        entered.set(key, event.timestamp);
        failed.delete(key);
        if (event.state.type === 'Wait') line(paint(36, '…'), label, 'waiting');
        // Approval may ask on the terminal: the question must not land on the running line.
        else if (event.state.name === 'Approval') line(paint(36, '…'), label, 'waiting for an answer');
        else if (options.tty) {
          clearPending();
          options.write(`  ${paint(36, '…')} ${label}`);
          pending = true;
        }
        break;
      case 'StateExited':
        if (event.state.type === 'Task' && !failed.has(key)) {
          // An Apply iteration's output is the AppliedStep; its name is in the input.
          const shown = event.state.name.startsWith('ApplyMigration')
            ? event.state.input
            : event.state.output;
          const detail = stateDetail(event.state.name, shown);
          line(paint(32, '✓'), label, `${paint(2, elapsed().padStart(7))}  ${detail}`.trimEnd());
        }
        break;
      case 'StateFailed':
        // The Fail state repeats the error a step already showed; only the steps are listed.
        if (event.state.type === 'Fail') break;
        failed.set(key, firstLine(event.Cause));
        line(paint(31, '✗'), label, `${paint(2, elapsed().padStart(7))}  ${event.Error}`);
        break;
      case 'StateRetried':
        entered.set(key, event.timestamp);
        // A retried error is not in the summary: say what it was here.
        line(
          paint(33, '↻'),
          label,
          `retrying (attempt ${event.retry.attempt + 1}) after: ${failed.get(key) ?? ''}`.trimEnd(),
        );
        failed.delete(key);
        break;
      default:
        break;
    }
  };
}
