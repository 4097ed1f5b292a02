// What an approver reads: the plan of the run waiting at Approval, and the exact commands
// that approve or reject it. Pure: the SNS adapter only publishes the result.
import type { ApprovalRequest } from '../../ports.ts';
import type { Plan } from '../model.ts';
import { executionConsoleUrl, executionName } from './console-link.ts';
import { fieldLines, snsSubject } from './message-text.ts';

export interface ApprovalMessage {
  subject: string;
  text: string;
}

export function approvalMessage(request: ApprovalRequest): ApprovalMessage {
  const { plan } = request;
  const token = shellQuote(request.taskToken);
  const lines = [
    `A stepmigrate run on database ${request.database} is waiting for approval.`,
    '',
    ...fieldLines([
      ['Database', request.database],
      ['Execution', executionName(request.executionId)],
      ['Requested by', request.requestedBy],
      ['Versions', `${plan.fromVersion} -> ${plan.toVersion} (${plan.direction})`],
    ]),
    '',
    ...planLines(plan),
    '',
    'To approve:',
    `  stepmigrate approve ${token}`,
    `  aws stepfunctions send-task-success --task-token ${token} --task-output '{}'`,
    '',
    'To reject:',
    `  stepmigrate reject ${token} --reason "<why>"`,
    `  aws stepfunctions send-task-failure --task-token ${token} --error ApprovalRejectedError --cause "<why>"`,
    '',
    `Console: ${executionConsoleUrl(request.executionId)}`,
  ];
  return {
    subject: snsSubject(`stepmigrate: approve ${plan.steps.length} migration(s) on ${request.database}?`),
    text: lines.join('\n'),
  };
}

function planLines(plan: Plan): string[] {
  const lines = [`Plan (${plan.steps.length} step(s)):`];
  for (const step of plan.steps)
    lines.push(`  ${step.direction === 'up' ? 'apply ' : 'revert'} ${step.version} ${step.name}`);
  if (plan.affectedTables.length > 0) lines.push(`Tables touched: ${plan.affectedTables.join(', ')}`);
  if (plan.backupTables.length > 0) lines.push(`Backed up first: ${plan.backupTables.join(', ')}`);
  const findings = plan.findings.filter((finding) => finding.severity !== 'info');
  if (findings.length > 0) {
    lines.push('Findings:');
    for (const finding of findings) {
      const where = finding.migration === undefined ? '' : ` (${finding.migration})`;
      const allowed = finding.allowedBecause === undefined ? '' : ` — allowed: ${finding.allowedBecause}`;
      lines.push(`  ${finding.severity} ${finding.rule}${where}: ${finding.message}${allowed}`);
    }
  }
  return lines;
}

/** Task tokens are base64-like; quoting keeps `+`, `/` and `=` safe in every shell. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}
