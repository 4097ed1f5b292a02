// The ApprovalNotifier port for local runs. On AWS the Approval step publishes the plan and
// the execution waits for a task token answer; locally the answer is given in-process:
// `--approve`, a y/N question on a terminal, or (neither available) a refusal that says how.
import { createInterface } from 'node:readline/promises';
import { ApprovalRejectedError } from '../engine/errors.ts';
import type { ApprovalNotifier, ApprovalRequest } from '../ports.ts';

export type LocalApprovalMode = 'approve' | 'ask' | 'refuse';

export interface LocalApprovalOptions {
  mode: LocalApprovalMode;
  /** Asks a yes/no question; defaults to a prompt on stdin/stderr. */
  ask?(question: string): Promise<boolean>;
}

async function askOnTerminal(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

function describePlan(request: ApprovalRequest): string {
  const { plan } = request;
  const steps = plan.steps.map((s) => `${s.direction === 'up' ? 'apply' : 'revert'} ${s.version}_${s.name}`);
  const lines = [
    `Approval needed for ${request.database}: ${plan.fromVersion} → ${plan.toVersion}`,
    ...steps.map((s) => `  - ${s}`),
  ];
  if (plan.backupTables.length > 0) lines.push(`  backup first: ${plan.backupTables.join(', ')}`);
  return lines.join('\n');
}

export class LocalApproval implements ApprovalNotifier {
  constructor(private readonly options: LocalApprovalOptions) {}

  async requestApproval(request: ApprovalRequest): Promise<void> {
    if (this.options.mode === 'approve') return;
    if (this.options.mode === 'refuse') {
      throw new ApprovalRejectedError(
        `the run needs approval and nobody can answer here (no terminal) — run again with --approve to approve it`,
      );
    }
    const ask = this.options.ask ?? askOnTerminal;
    const approved = await ask(`${describePlan(request)}\nApprove? [y/N] `);
    if (!approved) throw new ApprovalRejectedError(`approval refused at the prompt for ${request.database}`);
  }
}
