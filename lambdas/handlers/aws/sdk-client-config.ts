// How every AWS SDK client in a Lambda is configured: one factory, so no client can be
// created without timeouts. The SDK's defaults have none: against an endpoint that accepts
// the connection and never answers (a VPC without a route, a security group that drops
// replies) a step would hang until its Lambda timeout instead of failing with a name.
import type { S3ClientConfig } from '@aws-sdk/client-s3';

/** Attempts per request (the first one included), with the SDK's standard backoff and jitter. */
export const SDK_MAX_ATTEMPTS = 3;
/** Connecting to an AWS endpoint takes milliseconds; seconds mean there is no route. */
export const SDK_CONNECT_TIMEOUT_MS = 3_000;
/** DynamoDB, Secrets Manager, CloudWatch and SNS answer in well under a second. */
export const SDK_REQUEST_TIMEOUT_MS = 5_000;
/**
 * An S3 transfer (an 8 MiB part, a large GET) legitimately outlasts any fixed request
 * limit, so S3 gets an idle limit instead: no byte in either direction for this long.
 */
export const S3_IDLE_TIMEOUT_MS = 30_000;

export interface SdkClientConfig {
  maxAttempts: number;
  requestHandler: {
    connectionTimeout: number;
    requestTimeout?: number;
    throwOnRequestTimeout?: boolean;
    socketTimeout: number;
  };
}

/** For every client but S3's: a bounded connect, a bounded request, bounded retries. */
export function sdkClientConfig(): SdkClientConfig {
  return {
    maxAttempts: SDK_MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: SDK_CONNECT_TIMEOUT_MS,
      // Without throwOnRequestTimeout the SDK only logs a warning when the limit passes.
      requestTimeout: SDK_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      socketTimeout: SDK_REQUEST_TIMEOUT_MS,
    },
  };
}

/**
 * S3: the same bounds, an idle limit in place of a request limit, and checksums only where
 * S3 requires them. The default (WHEN_SUPPORTED) sends streamed uploads as aws-chunked with
 * a CRC trailer; stepmigrate already computes the SHA-256 of every backup object, records it
 * in the manifest and checks it on restore, end to end, which covers more than a per-request
 * checksum does. Tests run this exact configuration against s3rver, which cannot store
 * aws-chunked trailers.
 */
export function s3ClientConfig(): SdkClientConfig &
  Pick<S3ClientConfig, 'requestChecksumCalculation' | 'responseChecksumValidation'> {
  return {
    maxAttempts: SDK_MAX_ATTEMPTS,
    requestHandler: { connectionTimeout: SDK_CONNECT_TIMEOUT_MS, socketTimeout: S3_IDLE_TIMEOUT_MS },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}
