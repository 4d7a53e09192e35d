/**
 * The one retry helper: p-retry with exponential backoff and full jitter, bounded, that retries
 * only errors that say a retry can help (CountyHubError.retriable, kafkajs's own flag, network
 * failures). Programming errors and rejections fail at once.
 */
import pRetry from 'p-retry';
import { isRetriable } from '../../core/errors.js';

export interface RetryPolicy {
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, minTimeoutMs: 500, maxTimeoutMs: 30_000 };

export function withRetry<T>(
  fn: () => Promise<T>,
  policy: RetryPolicy,
  hooks: { signal?: AbortSignal; onRetry?: (err: Error, attempt: number) => void } = {},
): Promise<T> {
  return pRetry(fn, {
    retries: policy.retries,
    factor: 2,
    minTimeout: policy.minTimeoutMs,
    maxTimeout: policy.maxTimeoutMs,
    randomize: true,
    signal: hooks.signal,
    shouldRetry: ({ error }) => isRetriable(error),
    onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
      if (retriesLeft > 0 && isRetriable(error)) hooks.onRetry?.(error, attemptNumber);
    },
  });
}
