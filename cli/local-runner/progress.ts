// Live progress of a local execution, one line per finished state: on a terminal the
// running state shows until it ends (and colour unless NO_COLOR); elsewhere plain lines.
import type { ExecutionEvent } from './execute.ts';

export interface ProgressOptions {
  write(text: string): void;
  /** Redraw the running state's line in place. */
  tty: boolean;
  colour: boolean;
}

const SHOWN_TYPES = new Set(['Task', 'Wait', 'Fail']);
const NAME_WIDTH = 30;

interface StepInput {
  step?: { version?: string; name?: string; direction?: string };
}

/** "Apply 0004_add_email" for an Apply iteration, the state name otherwise. */
export function stateLabel(name: string, input: unknown): string {
  const step = (input as StepInput | null)?.step;
  if (name === 'ApplyMigration' && step?.version) {
    const verb = step.direction === 'down' ? 'Revert' : 'Apply';
    return `${verb} ${step.version}${step.name ? `_${step.name}` : ''}`;
  }
  return name;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function firstLine(text: unknown): string {
  const line = String(text ?? '').split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

export function progressPrinter(options: ProgressOptions): (event: ExecutionEvent) => void {
  const paint = (code: number, text: string) => (options.colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const entered = new Map<string, number>();
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
        if (event.state.type === 'Wait') line(paint(36, '…'), label, 'waiting');
        else if (options.tty) {
          clearPending();
          options.write(`  ${paint(36, '…')} ${label}`);
          pending = true;
        }
        break;
      case 'StateExited':
        if (event.state.type === 'Task') line(paint(32, '✓'), label, paint(2, elapsed()));
        break;
      case 'StateFailed':
        if (event.state.type === 'Fail')
          line(paint(31, '✗'), 'Failed', `${event.Error}: ${firstLine(event.Cause)}`);
        else line(paint(31, '✗'), label, `${paint(2, elapsed())}  ${event.Error}: ${firstLine(event.Cause)}`);
        break;
      case 'StateRetried':
        entered.set(key, event.timestamp);
        line(paint(33, '↻'), label, `retrying (attempt ${event.retry.attempt + 1})`);
        break;
      default:
        break;
    }
  };
}
