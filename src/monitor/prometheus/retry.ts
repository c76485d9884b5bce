/**
 * Retries for one Prometheus request: exponential backoff with decorrelated jitter (cockatiel's default
 * generator), so many clients retrying after the same outage do not hit Prometheus in lock-step. Only
 * failures that may pass (timeouts, connection errors, 5xx, 429) are retried; a bad query is not, and neither
 * is an open circuit, whose whole point is to fail at once.
 */
import { ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import { PrometheusRequestError } from './http-client.js';

export interface RetryConfig {
  /** Retries after the first try. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

/** Worth trying again: a transient failure of Prometheus or the network. */
export function isTransient(e: Error): boolean {
  return e instanceof PrometheusRequestError && e.retryable;
}

export function retryPolicy(c: RetryConfig): RetryPolicy {
  return retry(handleWhen(isTransient), {
    maxAttempts: c.maxAttempts,
    backoff: new ExponentialBackoff({ initialDelay: c.initialDelayMs, maxDelay: c.maxDelayMs }),
  });
}
