// `stepmigrate audit`: what every run did, step by step, from the DynamoDB audit table
// (--table or $STEPMIGRATE_AUDIT_TABLE) or the local log (.stepmigrate/audit.jsonl).
import { type Command, Option } from 'commander';
import { LocalAuditLog } from '../../lambdas/adapters/local-audit-log.ts';
import { ExitCode, InputError } from '../../lambdas/engine/errors.ts';
import type { AuditLog, AuditRecord } from '../../lambdas/ports.ts';
import { auditTableLines } from '../aws/audit-table.ts';
import { addAwsOptions } from '../aws/aws-options.ts';
import type { AwsConnectionOptions } from '../aws/clients.ts';
import { type AwsCall, callAws } from '../aws/explain-error.ts';
import { parseWholeNumber } from '../input-flags.ts';
import { projectRoot } from '../local/project-root.ts';
import { type OutputSink, processSink } from '../sink.ts';

export interface AuditOptions extends AwsConnectionOptions {
  database?: string;
  /** An execution ARN, or just its name. */
  execution?: string;
  limit?: number;
  json?: boolean;
  table?: string;
  /** Finds the project whose local log is read (cli/local/project.ts). */
  migrations?: string;
}

export interface AuditDependencies {
  auditLog: AuditLog;
  sink: OutputSink;
  /** The API call to name when reading fails (DynamoDB only). */
  call?: AwsCall;
}

export const DEFAULT_AUDIT_LIMIT = 50;

/**
 * On AWS the execution id is the full ARN; people mostly have the name. A name is matched
 * against the records of the database (or all records) instead of the execution index.
 */
async function readRecords(options: AuditOptions, auditLog: AuditLog, limit: number): Promise<AuditRecord[]> {
  const execution = options.execution;
  if (execution === undefined || execution.startsWith('arn:')) {
    return auditLog.list({ database: options.database, executionId: execution, limit });
  }
  const all = await auditLog.list({ database: options.database });
  return all
    .filter((record) => record.executionId === execution || record.executionId.endsWith(`:${execution}`))
    .slice(0, limit);
}

export async function showAudit(options: AuditOptions, deps: AuditDependencies): Promise<ExitCode> {
  const limit = options.limit ?? DEFAULT_AUDIT_LIMIT;
  if (limit < 1) throw new InputError(`--limit must be at least 1, got ${limit}`);
  const read = () => readRecords(options, deps.auditLog, limit);
  const records = deps.call ? await callAws(deps.call, read) : await read();
  if (options.json) {
    deps.sink.out(JSON.stringify(records, null, 2));
    return ExitCode.ok;
  }
  if (records.length === 0) {
    deps.sink.out('no audit records match');
    return ExitCode.ok;
  }
  // Newest first from the log; a person reads a timeline oldest first.
  for (const line of auditTableLines([...records].reverse())) deps.sink.out(line);
  return ExitCode.ok;
}

/** The local log of the project, or the DynamoDB table (the SDK is loaded only then). */
async function auditSource(options: AuditOptions): Promise<Pick<AuditDependencies, 'auditLog' | 'call'>> {
  const table = options.table ?? process.env.STEPMIGRATE_AUDIT_TABLE;
  if (table === undefined || table === '')
    return { auditLog: LocalAuditLog.forProject(projectRoot(options.migrations)) };
  const [{ DynamoDbAuditLog }, { createDynamoDbClient }] = await Promise.all([
    import('../../lambdas/adapters/dynamodb-audit-log.ts'),
    import('../aws/clients.ts'),
  ]);
  const action = options.execution || options.database ? 'dynamodb:Query' : 'dynamodb:Scan';
  return {
    auditLog: new DynamoDbAuditLog({ client: createDynamoDbClient(options), tableName: table }),
    call: { action, resource: `table ${table}` },
  };
}

export function register(program: Command): void {
  const command = program
    .command('audit')
    .description('show the audit log: every step of every run, newest last')
    .option('--database <name>', 'only this database')
    .option('--execution <arn|name>', 'only this execution')
    .addOption(
      new Option('--limit <n>', `at most this many records (default ${DEFAULT_AUDIT_LIMIT})`).argParser(
        parseWholeNumber,
      ),
    )
    .option('--table <name>', 'DynamoDB audit table (default: $STEPMIGRATE_AUDIT_TABLE, else the local log)')
    .option(
      '--migrations <dir>',
      'migrations directory: finds the project whose local log is read',
      './migrations',
    )
    .option('--json', 'print the records as JSON, newest first');
  addAwsOptions(command);
  command.action(async (options: AuditOptions) => {
    process.exitCode = await showAudit(options, { ...(await auditSource(options)), sink: processSink() });
  });
}
