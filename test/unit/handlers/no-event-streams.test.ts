// The Lambda bundles replace the SDK's event streams with a stand-in (infra/bundling.ts). A
// client still configures itself through it; an operation that streams events fails with a
// name that says what was left out and how to bring it back.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { LAMBDA_BUNDLE_ALIASES, PROJECT_ROOT } from '../../../infra/bundling.ts';
import * as standIn from '../../../lambdas/handlers/aws/no-event-streams.ts';

describe('the event streams stand-in', () => {
  it('is what the bundles get for @smithy/core/event-streams', () => {
    expect(LAMBDA_BUNDLE_ALIASES['@smithy/core/event-streams']).toBe(
      './lambdas/handlers/aws/no-event-streams.ts',
    );
  });

  it('exports every name the SDK takes from @smithy/core/event-streams in the clients the Lambdas use', async () => {
    const importers = [
      'node_modules/@aws-sdk/client-s3/dist-es/S3Client.js',
      'node_modules/@aws-sdk/client-s3/dist-es/runtimeConfig.js',
      'node_modules/@smithy/core/dist-es/submodules/protocols/HttpProtocol.js',
    ];
    const wanted = new Set<string>();
    for (const file of importers) {
      const text = await readFile(join(PROJECT_ROOT, file), 'utf8');
      for (const match of text.matchAll(
        /(?:import|const)\s*\{([^}]*)\}\s*(?:from|=\s*await import\()\s*"@smithy\/core\/event-streams"/g,
      ))
        for (const name of match[1]!.split(','))
          if (name.trim()) wanted.add(name.trim().split(/\s+as\s+/)[0]!);
    }
    expect(wanted.size).toBeGreaterThan(0);
    expect([...wanted].filter((name) => !(name in standIn))).toEqual([]);
  });

  it('lets a client configure itself, and refuses by name once an event stream is used', () => {
    const config = standIn.resolveEventStreamSerdeConfig({ region: 'eu-west-1' });
    expect(config.region).toBe('eu-west-1');
    const marshaller = config.eventStreamMarshaller as { serialize(): unknown };
    expect(() => marshaller.serialize()).toThrow(standIn.EventStreamsNotBundledError);
    expect(() => new standIn.EventStreamSerde()).toThrow(
      expect.objectContaining({
        name: 'EventStreamsNotBundledError',
        message: expect.stringContaining('remove @smithy/core/event-streams from LAMBDA_BUNDLE_ALIASES'),
      }),
    );
  });
});
