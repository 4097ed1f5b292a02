// Retries of transient failures with exponential backoff and jitter.

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  /** Decides whether the error is worth another attempt. */
  retryable: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number) => void;
}

export const defaultStoreRetry: Omit<RetryOptions, 'retryable'> = { attempts: 3, baseDelayMs: 250 };

export async function withRetries<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !options.retryable(error)) throw error;
      options.onRetry?.(error, attempt);
      const delay = options.baseDelayMs * 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * (delay / 2)));
    }
  }
}
