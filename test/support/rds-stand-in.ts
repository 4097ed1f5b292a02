// A recording stand-in of the RDS Query API for the snapshot calls the workflow makes:
// CreateDBSnapshot / CreateDBClusterSnapshot and DescribeDBSnapshots / DescribeDBClusterSnapshots,
// form-encoded in, XML out, as RDS answers them. A snapshot is `creating` for a few polls and
// then `available`, or `failed` when the stand-in is told so. Listens on 127.0.0.1 only.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const XMLNS = 'http://rds.amazonaws.com/doc/2014-10-31/';
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

export interface RecordedRdsCall {
  action: string;
  parameters: Record<string, string>;
}

interface Snapshot {
  kind: 'instance' | 'cluster';
  identifier: string;
  source: string;
  polls: number;
  createdAt: string;
  tags: Array<{ key: string; value: string }>;
}

export interface RdsStandInOptions {
  /** Instances and clusters that exist; a snapshot of anything else is refused (NotFound). */
  instances?: string[];
  clusters?: string[];
  /** Describe calls that still answer `creating` before the final status. @default 1 */
  pollsUntilDone?: number;
  /** The status a snapshot ends in. @default 'available' */
  finalStatus?: 'available' | 'failed';
  /** Create calls refused first because the instance or cluster is busy (InvalidDB*State). @default 0 */
  busyCreates?: number;
}

export interface RdsStandIn {
  endpoint: string;
  calls: RecordedRdsCall[];
  close(): Promise<void>;
}

const escapeXml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);

function snapshotXml(snapshot: Snapshot, status: string): string {
  const cluster = snapshot.kind === 'cluster';
  const element = cluster ? 'DBClusterSnapshot' : 'DBSnapshot';
  const arn = `arn:aws:rds:${REGION}:${ACCOUNT}:${cluster ? 'cluster-snapshot' : 'snapshot'}:${snapshot.identifier}`;
  const tags = snapshot.tags
    .map((t) => `<Tag><Key>${escapeXml(t.key)}</Key><Value>${escapeXml(t.value)}</Value></Tag>`)
    .join('');
  return [
    `<${element}>`,
    `<${element}Identifier>${snapshot.identifier}</${element}Identifier>`,
    cluster
      ? `<DBClusterIdentifier>${snapshot.source}</DBClusterIdentifier>`
      : `<DBInstanceIdentifier>${snapshot.source}</DBInstanceIdentifier>`,
    `<Status>${status}</Status>`,
    `<SnapshotCreateTime>${snapshot.createdAt}</SnapshotCreateTime>`,
    '<Engine>postgres</Engine>',
    `<PercentProgress>${status === 'available' ? 100 : 0}</PercentProgress>`,
    `<${element}Arn>${arn}</${element}Arn>`,
    `<TagList>${tags}</TagList>`,
    `</${element}>`,
  ].join('');
}

function errorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>stand-in</RequestId></ErrorResponse>`;
}

function resultXml(action: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${XMLNS}"><${action}Result>${body}</${action}Result><ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></${action}Response>`;
}

function tagsOf(parameters: Record<string, string>): Array<{ key: string; value: string }> {
  const tags: Array<{ key: string; value: string }> = [];
  for (let n = 1; parameters[`Tags.Tag.${n}.Key`] !== undefined; n++)
    tags.push({
      key: parameters[`Tags.Tag.${n}.Key`] as string,
      value: parameters[`Tags.Tag.${n}.Value`] ?? '',
    });
  return tags;
}

export async function startRdsStandIn(options: RdsStandInOptions = {}): Promise<RdsStandIn> {
  const calls: RecordedRdsCall[] = [];
  const snapshots = new Map<string, Snapshot>();
  const pollsUntilDone = options.pollsUntilDone ?? 1;
  let busyCreates = options.busyCreates ?? 0;

  const answer = (action: string, p: Record<string, string>): { status: number; body: string } => {
    const cluster = action.includes('Cluster');
    const id = (cluster ? p.DBClusterSnapshotIdentifier : p.DBSnapshotIdentifier)?.toLowerCase() ?? '';
    const noun = cluster ? 'DBClusterSnapshot' : 'DBSnapshot';
    if (action === 'CreateDBSnapshot' || action === 'CreateDBClusterSnapshot') {
      const source = (cluster ? p.DBClusterIdentifier : p.DBInstanceIdentifier) ?? '';
      const known = cluster ? (options.clusters ?? []) : (options.instances ?? []);
      if (!known.includes(source)) {
        const code = cluster ? 'DBClusterNotFoundFault' : 'DBInstanceNotFound';
        return {
          status: 404,
          body: errorXml(code, `${cluster ? 'DBCluster' : 'DBInstance'} ${source} not found.`),
        };
      }
      if (busyCreates > 0) {
        busyCreates--;
        const code = cluster ? 'InvalidDBClusterStateFault' : 'InvalidDBInstanceState';
        return { status: 400, body: errorXml(code, `${source} is backing-up.`) };
      }
      if (snapshots.has(id))
        return { status: 400, body: errorXml(`${noun}AlreadyExists`, `Snapshot ${id} already exists.`) };
      const snapshot: Snapshot = {
        kind: cluster ? 'cluster' : 'instance',
        identifier: id,
        source,
        polls: 0,
        createdAt: new Date().toISOString(),
        tags: tagsOf(p),
      };
      snapshots.set(id, snapshot);
      return { status: 200, body: resultXml(action, snapshotXml(snapshot, 'creating')) };
    }
    if (action === 'DescribeDBSnapshots' || action === 'DescribeDBClusterSnapshots') {
      const snapshot = snapshots.get(id);
      if (!snapshot) return { status: 404, body: errorXml(`${noun}NotFound`, `Snapshot ${id} not found.`) };
      snapshot.polls++;
      const status = snapshot.polls > pollsUntilDone ? (options.finalStatus ?? 'available') : 'creating';
      return {
        status: 200,
        body: resultXml(action, `<${noun}s>${snapshotXml(snapshot, status)}</${noun}s>`),
      };
    }
    return { status: 400, body: errorXml('InvalidAction', `The stand-in does not implement ${action}.`) };
  };

  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      const parameters = Object.fromEntries(new URLSearchParams(body));
      const { Action: action = '', ...rest } = parameters;
      calls.push({ action, parameters: rest });
      const { status, body: xml } = answer(action, rest);
      response.writeHead(status, { 'content-type': 'text/xml' }).end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
