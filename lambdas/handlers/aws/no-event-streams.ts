// Stands in for @smithy/core/event-streams inside the Lambda bundles (LAMBDA_BUNDLE_ALIASES in
// infra/bundling.ts). Event streams carry the SDK's streaming operations (S3
// SelectObjectContent, Lambda InvokeWithResponseStream, Transcribe…); no stepmigrate Lambda
// calls one, yet every SDK client bundles their codec, 15 KB of each bundle. The S3 client
// still wires a marshaller into its configuration when it is created, so that part stays and
// only refuses when used: an operation that does need event streams fails with a name.

export class EventStreamsNotBundledError extends Error {
  constructor(what: string) {
    super(
      `${what}: the stepmigrate Lambda bundles leave out the AWS SDK's event streams (infra/bundling.ts); remove @smithy/core/event-streams from LAMBDA_BUNDLE_ALIASES to call an operation that streams events`,
    );
    this.name = 'EventStreamsNotBundledError';
  }
}

/** The marshaller of a client whose configuration asks for one: refuses on first use. */
const notBundledMarshaller = new Proxy(
  {},
  {
    get: (_target, property) => {
      if (property === 'then') return undefined;
      return () => {
        throw new EventStreamsNotBundledError(`event stream ${String(property)}`);
      };
    },
  },
);

export function eventStreamSerdeProvider(): object {
  return notBundledMarshaller;
}

export function resolveEventStreamSerdeConfig<T extends object>(
  input: T,
): T & { eventStreamMarshaller: object } {
  return Object.assign(input, { eventStreamMarshaller: notBundledMarshaller });
}

/** What the SDK's HTTP protocols load for an operation with an event stream member. */
export class EventStreamSerde {
  constructor() {
    throw new EventStreamsNotBundledError('an event stream request or response');
  }
}
