// What people read when a migration run fails: a plain-text e-mail body (SNS) and a JSON
// form for chat webhooks (Slack-compatible `text` + `blocks`; Teams and others read `text`).
// Pure: the caller gathers the facts, these functions only word them.
import { describeDatabaseSnapshot } from '../database-snapshot.ts';
import type { RunOutput } from '../run-state.ts';
import { executionConsoleUrl, executionName } from './console-link.ts';
import { clip, fieldLines, snsSubject } from './message-text.ts';

export type FailureOutcome =
  | 'rolled_back'
  | 'rollback_failed'
  | 'failed'
  | 'timed_out'
  | 'aborted'
  /** The execution failed without a readable Report: whether it rolled back is unknown. */
  | 'unreported';

export interface FailureDetails {
  database: string;
  executionArn: string;
  outcome: FailureOutcome;
  error: { name: string; message: string };
  fromVersion?: string;
  toVersion?: string;
  /** The migration that failed, when the failure was about one. */
  migration?: { version: string; file?: string; line?: number };
  /** Versions this run applied before it failed. */
  applied?: string[];
  rolledBack?: string[];
  requestedBy?: string;
  /** ISO time the run failed. */
  at?: string;
  backupLocation?: string;
  /** The whole-database snapshot taken before Backup (`databaseSnapshot`): the last resort. */
  databaseSnapshot?: string;
  /** @default - the Step Functions console page of `executionArn` */
  consoleUrl?: string;
}

export interface FailureMessage {
  subject: string;
  text: string;
}

const HEADLINES: Record<FailureOutcome, string> = {
  rolled_back: 'failed and was rolled back',
  rollback_failed: 'ROLLBACK FAILED - manual action needed',
  failed: 'was refused before any change',
  timed_out: 'timed out',
  aborted: 'was stopped by hand',
  unreported: 'failed without a report - check it',
};

function whatItMeans(details: FailureDetails): string[] {
  const start = details.fromVersion ?? 'the version it started from';
  switch (details.outcome) {
    case 'rolled_back':
      return [
        `The database is back at ${start}, exactly where the run started (schema checked).`,
        'The application keeps running on the old schema. Fix the migration, then start a new run.',
      ];
    case 'rollback_failed':
      return [
        'CRITICAL: the database may be between versions. Do not start another run.',
        'Follow the runbook for exit code 3: compare the schema with the backup, restore by hand,',
        'then mark the history with `stepmigrate repair <version> --mark applied|rolled_back --reason "…"`.',
      ];
    case 'failed':
      return [`Nothing was changed: the database is still at ${start}. Fix the cause below and start again.`];
    case 'unreported':
      return [
        'The run ended before Report could say whether it rolled back. The database may be mid-run:',
        'check `stepmigrate status` and the audit log before starting again.',
      ];
    default:
      return [
        'Rollback did NOT run. The database may be mid-run: check `stepmigrate status` and the audit log',
        'before starting again (runbook: "timed out or aborted").',
      ];
  }
}

function migrationLine(details: FailureDetails): string | undefined {
  const migration = details.migration;
  if (migration === undefined) return undefined;
  const where = migration.file
    ? ` (${migration.file}${migration.line ? ` line ${migration.line}` : ''})`
    : '';
  return `${migration.version}${where}`;
}

function versionsLine(details: FailureDetails): string | undefined {
  if (details.fromVersion === undefined && details.toVersion === undefined) return undefined;
  return `${details.fromVersion ?? '?'} -> ${details.toVersion ?? '?'}`;
}

function list(versions: string[] | undefined): string | undefined {
  return versions && versions.length > 0 ? versions.join(', ') : undefined;
}

export function failureSubject(details: FailureDetails): string {
  const about = details.migration ? `migration ${details.migration.version} ` : 'run ';
  // The database name is the part that may be long: shorten it, never the outcome.
  const database = details.database.length > 40 ? `${details.database.slice(0, 37)}...` : details.database;
  return snsSubject(`[stepmigrate] ${database}: ${about}${HEADLINES[details.outcome]}`);
}

/** The plain-text e-mail. */
export function failureMessage(details: FailureDetails): FailureMessage {
  const consoleUrl = details.consoleUrl ?? executionConsoleUrl(details.executionArn);
  const text = [
    `stepmigrate: a migration run on ${details.database} ${HEADLINES[details.outcome]}.`,
    '',
    ...fieldLines([
      ['Database', details.database],
      ['Execution', executionName(details.executionArn)],
      ['Requested by', details.requestedBy],
      ['When', details.at],
      ['Versions', versionsLine(details)],
      ['Failed migration', migrationLine(details)],
      ['Applied', list(details.applied)],
      ['Rolled back', list(details.rolledBack)],
      ['Backup', details.backupLocation],
      ['Database snapshot', details.databaseSnapshot],
    ]),
    '',
    'Error:',
    `  ${details.error.name}: ${clip(details.error.message)}`,
    '',
    'What it means:',
    ...whatItMeans(details).map((line) => `  ${line}`),
    '',
    'Look closer:',
    `  Console:  ${consoleUrl}`,
    `  CLI:      stepmigrate watch ${details.executionArn}`,
    `  Audit:    stepmigrate audit --execution ${executionName(details.executionArn)}`,
    '  Runbook:  docs/operations.md',
  ].join('\n');
  return { subject: failureSubject(details), text: `${text}\n` };
}

/** A chat webhook body: one line of `text` for any client, `blocks` for Slack. */
export function failureChatMessage(details: FailureDetails): Record<string, unknown> {
  const consoleUrl = details.consoleUrl ?? executionConsoleUrl(details.executionArn);
  const subject = failureSubject(details);
  const fields = [
    ['Database', details.database],
    ['Versions', versionsLine(details)],
    ['Failed migration', migrationLine(details)],
    ['Requested by', details.requestedBy],
  ].filter((field): field is [string, string] => field[1] !== undefined);
  return {
    text: `${subject}: ${details.error.name}: ${clip(details.error.message, 300)} <${consoleUrl}|execution>`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: subject.slice(0, 150) } },
      {
        type: 'section',
        fields: fields.map(([label, value]) => ({ type: 'mrkdwn', text: `*${label}*\n${value}` })),
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*${details.error.name}*\n\`\`\`${clip(details.error.message, 2500)}\`\`\``,
        },
      },
      { type: 'section', text: { type: 'mrkdwn', text: whatItMeans(details).join(' ') } },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: `<${consoleUrl}|Open in the Step Functions console> · docs/operations.md` },
        ],
      },
    ],
  };
}

/** The facts of a failed run, from its output (DESIGN §1.3). */
export function failureDetailsFromRunOutput(
  output: RunOutput,
  executionArn: string,
  extra: Pick<FailureDetails, 'requestedBy' | 'at' | 'consoleUrl'> = {},
): FailureDetails {
  const outcome: FailureOutcome =
    output.status === 'rolled_back' || output.status === 'rollback_failed' ? output.status : 'failed';
  const error = output.error ?? { name: 'Error', message: `run ended ${output.status}` };
  return {
    database: output.database,
    executionArn,
    outcome,
    error: { name: error.name, message: error.message },
    fromVersion: output.fromVersion || undefined,
    toVersion: output.toVersion || undefined,
    ...(error.migration
      ? { migration: { version: error.migration, file: error.file, line: error.line } }
      : {}),
    applied: output.applied,
    rolledBack: output.rolledBack,
    backupLocation: output.backup?.location,
    ...(output.databaseSnapshot
      ? { databaseSnapshot: describeDatabaseSnapshot(output.databaseSnapshot) }
      : {}),
    ...extra,
  };
}
