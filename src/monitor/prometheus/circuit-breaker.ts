/**
 * The circuit breaker in front of Prometheus: after N consecutive transient failures it opens, and requests
 * fail at once (BrokenCircuitError) instead of each waiting out its timeout and retries; after a pause one
 * trial request is let through (half-open) and closes it again on success. The source then serves its last
 * good snapshot, marked degraded, without adding load to a struggling Prometheus.
 */
import { circuitBreaker, ConsecutiveBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { isTransient } from './retry.js';

export interface CircuitBreakerConfig {
  consecutiveFailures: number;
  halfOpenAfterMs: number;
}

export function breakerPolicy(c: CircuitBreakerConfig): CircuitBreakerPolicy {
  // Only transient failures count: a malformed query says nothing about Prometheus' health.
  return circuitBreaker(handleWhen(isTransient), {
    halfOpenAfter: c.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(c.consecutiveFailures),
  });
}
