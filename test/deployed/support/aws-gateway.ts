// What a step function's AWS SDK clients talk to: one gateway per function, on its own
// loopback port, that records every call (action and resource, as IAM sees them) and then
// forwards DynamoDB to dynalite and S3 to s3rver, and answers Secrets Manager, CloudWatch,
// SNS and Step Functions' GetExecutionHistory and DescribeExecution itself. A Publish to a KMS-encrypted topic is
// also recorded as the kms:GenerateDataKey and kms:Decrypt SNS makes with the caller's rights. The service is read from the SigV4 credential scope of each request, so
// a single AWS_ENDPOINT_URL serves every client, as the Lambda's own would.
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../../cli/local-runner/resolve-definition.ts';
import type { AwsCall } from './iam-policy.ts';

export interface RecordedCall extends AwsCall {
  service: string;
  /** The request's parsed body (JSON services) or form fields (SNS). */
  body: Record<string, unknown>;
}

export interface AwsWorld {
  /** SecretId → SecretString. */
  secrets: Map<string, string>;
  /** Alarm name → state (OK, ALARM, INSUFFICIENT_DATA). */
  alarms: Map<string, string>;
  /** Every call made, in order. */
  calls: RecordedCall[];
  /** Execution ARN → its history events, oldest first, as GetExecutionHistory returns them. */
  executions: Map<string, Array<Record<string, unknown>>>;
  /** Topic ARN → the ARN of the KMS key that encrypts it. */
  topicKeys: Map<string, string>;
  /** Where dynalite and s3rver listen. */
  dynamodbEndpoint: string;
  s3Endpoint: string;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function serviceOf(request: IncomingMessage): string {
  const match = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(request.headers.authorization ?? ''));
  return match?.[1] ?? 'unknown';
}

const targetAction = (request: IncomingMessage) =>
  String(request.headers['x-amz-target'] ?? '')
    .split('.')
    .at(-1) ?? '';

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    return body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
  } catch {
    return {};
  }
}

function s3Calls(
  request: IncomingMessage,
  body: Buffer,
): Array<Pick<AwsCall, 'action' | 'resource' | 'context'>> {
  const url = new URL(request.url ?? '/', 'http://local');
  const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
  const key = rest.map(decodeURIComponent).join('/');
  const method = request.method ?? 'GET';
  if (url.searchParams.has('delete')) {
    const keys = [...body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1] ?? '');
    return keys.map((k) => ({ action: 's3:DeleteObject', resource: `arn:aws:s3:::${bucket}/${k}` }));
  }
  if (key === '') {
    const context = url.searchParams.has('prefix')
      ? { 's3:prefix': url.searchParams.get('prefix') ?? '' }
      : undefined;
    return [{ action: 's3:ListBucket', resource: `arn:aws:s3:::${bucket}`, context }];
  }
  const object = `arn:aws:s3:::${bucket}/${key}`;
  if (method === 'GET' || method === 'HEAD') return [{ action: 's3:GetObject', resource: object }];
  if (method === 'DELETE')
    return [
      {
        action: url.searchParams.has('uploadId') ? 's3:AbortMultipartUpload' : 's3:DeleteObject',
        resource: object,
      },
    ];
  return [{ action: 's3:PutObject', resource: object }];
}

function forward(target: string, request: IncomingMessage, body: Buffer, response: ServerResponse): void {
  const url = new URL(target);
  const upstream = httpRequest(
    {
      host: url.hostname,
      port: url.port,
      method: request.method,
      path: request.url,
      headers: request.headers,
    },
    (answer) => {
      response.writeHead(answer.statusCode ?? 500, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', (error) => {
    response.writeHead(502);
    response.end(String(error));
  });
  upstream.end(body);
}

function json(response: ServerResponse, status: number, value: unknown, type = 'application/x-amz-json-1.1') {
  response.writeHead(status, { 'content-type': type });
  response.end(JSON.stringify(value));
}

function secretsManager(world: AwsWorld, body: Record<string, unknown>, response: ServerResponse): void {
  const secret = world.secrets.get(String(body.SecretId));
  if (secret === undefined) {
    json(response, 400, {
      __type: 'ResourceNotFoundException',
      message: 'Secrets Manager can’t find the specified secret.',
    });
    return;
  }
  json(response, 200, { ARN: body.SecretId, Name: 'db', SecretString: secret, VersionId: 'v1' });
}

function cloudWatch(
  world: AwsWorld,
  action: string,
  body: Record<string, unknown>,
  response: ServerResponse,
): void {
  if (action === 'DescribeAlarms') {
    const names = (body.AlarmNames as string[] | undefined) ?? [];
    const alarms = names
      .filter((name) => world.alarms.has(name))
      .map((name) => ({ AlarmName: name, StateValue: world.alarms.get(name) }));
    json(response, 200, { MetricAlarms: alarms, CompositeAlarms: [] }, 'application/x-amz-json-1.0');
    return;
  }
  json(response, 200, {}, 'application/x-amz-json-1.0');
}

function sns(response: ServerResponse, action: string): void {
  response.writeHead(200, { 'content-type': 'text/xml' });
  response.end(
    `<${action}Response xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><${action}Result><MessageId>m-${Date.now()}</MessageId></${action}Result>` +
      `<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></${action}Response>`,
  );
}

function stepFunctions(
  world: AwsWorld,
  action: string,
  body: Record<string, unknown>,
  response: ServerResponse,
): void {
  const type = 'application/x-amz-json-1.0';
  const history = world.executions.get(String(body.executionArn));
  if (action === 'DescribeExecution' && history !== undefined) {
    // An execution's status is what its last event says; the stand-in only knows ended ones.
    const last = String(history.at(-1)?.type ?? '');
    const status =
      last === 'ExecutionSucceeded' ? 'SUCCEEDED' : last === 'ExecutionFailed' ? 'FAILED' : 'RUNNING';
    json(response, 200, { executionArn: body.executionArn, status }, type);
    return;
  }
  if (action !== 'GetExecutionHistory' && action !== 'DescribeExecution') {
    json(response, 400, { __type: 'UnknownOperationException', message: `no stand-in for ${action}` }, type);
    return;
  }
  if (history === undefined) {
    json(
      response,
      400,
      {
        __type: 'ExecutionDoesNotExist',
        message: `Execution Does Not Exist: '${String(body.executionArn)}'`,
      },
      type,
    );
    return;
  }
  const ordered = body.reverseOrder === true ? [...history].reverse() : history;
  const data = (event: Record<string, unknown>) =>
    body.includeExecutionData === false
      ? JSON.parse(JSON.stringify(event, (key, value) => (/^(input|output)$/.test(key) ? undefined : value)))
      : event;
  const start = Number(body.nextToken ?? 0);
  const size = Math.min(Number(body.maxResults || 100), 1000);
  const events = ordered.slice(start, start + size).map(data);
  const next = start + size < ordered.length ? { nextToken: String(start + size) } : {};
  json(response, 200, { events, ...next }, type);
}

function record(world: AwsWorld, functionId: string, service: string, request: IncomingMessage, raw: Buffer) {
  const arn = (service_: string, resource: string) =>
    `arn:aws:${service_}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;
  const push = (
    action: string,
    resource: string,
    body: Record<string, unknown>,
    context?: Record<string, string>,
  ) => world.calls.push({ functionId, service, action, resource, body, context });
  if (service === 's3') {
    for (const call of s3Calls(request, raw)) push(call.action, call.resource, {}, call.context);
    return;
  }
  if (service === 'sns') {
    const form = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    const topic = String(form.TopicArn ?? '*');
    push(`sns:${form.Action}`, topic, form);
    const key = world.topicKeys.get(topic);
    if (form.Action === 'Publish' && key !== undefined) {
      // SNS encrypts the message with the topic's key, on the publisher's permissions.
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt'])
        world.calls.push({ functionId, service: 'kms', action, resource: key, body: {} });
    }
    return;
  }
  const body = parseJson(raw);
  const action = targetAction(request);
  if (service === 'dynamodb') {
    const table = arn('dynamodb', `table/${String(body.TableName)}`);
    push(`dynamodb:${action}`, body.IndexName ? `${table}/index/${String(body.IndexName)}` : table, body);
  } else if (service === 'states') {
    push(`states:${action}`, String(body.executionArn ?? body.stateMachineArn ?? '*'), body);
  } else if (service === 'secretsmanager') {
    push(`secretsmanager:${action}`, String(body.SecretId), body);
  } else if (service === 'monitoring') {
    const names = action === 'DescribeAlarms' ? ((body.AlarmNames as string[] | undefined) ?? []) : [];
    const context =
      typeof body.Namespace === 'string' ? { 'cloudwatch:namespace': body.Namespace } : undefined;
    if (names.length === 0) push(`cloudwatch:${action}`, '*', body, context);
    for (const name of names) push(`cloudwatch:${action}`, arn('cloudwatch', `alarm:${name}`), body);
  } else {
    push(`${service}:${action || request.method}`, '*', body);
  }
}

/** Starts the gateway of one function; its URL goes into that function's AWS_ENDPOINT_URL. */
export async function startGateway(
  world: AwsWorld,
  functionId: string,
): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    void (async () => {
      const raw = await readBody(request);
      const service = serviceOf(request);
      record(world, functionId, service, request, raw);
      if (service === 'dynamodb') forward(world.dynamodbEndpoint, request, raw, response);
      else if (service === 's3') forward(world.s3Endpoint, request, raw, response);
      else if (service === 'secretsmanager') secretsManager(world, parseJson(raw), response);
      else if (service === 'states') stepFunctions(world, targetAction(request), parseJson(raw), response);
      else if (service === 'monitoring') cloudWatch(world, targetAction(request), parseJson(raw), response);
      else if (service === 'sns')
        sns(response, Object.fromEntries(new URLSearchParams(raw.toString('utf8'))).Action ?? 'Publish');
      else json(response, 400, { __type: 'UnknownService', message: `no stand-in for ${service}` });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Accepts connections and never answers: a VPC endpoint whose security group drops replies. */
export async function startBlackHole(): Promise<{ url: string; server: Server }> {
  const server = createServer(() => {
    // never respond
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
