/**
 * The Prometheus TelemetrySource: every signal of a Snapshot is one PromQL instant query (queries.ts), all
 * evaluated at the same instant so the snapshot is one moment. Each request goes through retries with backoff
 * and a shared circuit breaker. When a round fails, the last good snapshot stands in, marked `degraded` with
 * the reason (the guardrails then refuse to take capacity away), for at most `maxStaleSeconds`; after that
 * snapshot() throws, because acting on older data is worse than stopping.
 */
import { BrokenCircuitError, CircuitState, wrap, type CircuitBreakerPolicy, type IPolicy } from 'cockatiel';
import type { Snapshot } from '../../core/snapshot.js';
import type { TelemetrySource } from '../source.js';
import { parsePrometheusConfig, queryFor, type PrometheusSourceConfig, type PrometheusSourceConfigInput } from './config.js';
import { PrometheusHttpClient, PrometheusRequestError, type FetchFn, type Vector } from './http-client.js';
import { breakerPolicy } from './circuit-breaker.js';
import { retryPolicy } from './retry.js';
import { expandQuery, SIGNALS, type Signal } from './queries.js';
import { seriesByLabel, type Point } from './samples.js';
import { NoTelemetryError, SnapshotAssembler, type QueryResults } from './snapshot-builder.js';

/** Prometheus has failed for longer than the configured bound (or before any snapshot): the loop must stop. */
export class PrometheusUnavailableError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'PrometheusUnavailableError';
  }
}

/** A query Prometheus refuses (bad PromQL, execution error): a configuration problem, not an outage. */
export class PrometheusQueryError extends Error {
  constructor(readonly signal: Signal, readonly query: string, override readonly cause: PrometheusRequestError) {
    super(`the query for ${signal} failed: ${cause.message} (query: ${query})`);
    this.name = 'PrometheusQueryError';
  }
}

export interface PrometheusSourceDeps {
  fetch?: FetchFn;
  /** Wall clock in ms (tests move it). */
  now?: () => number;
}

export type CircuitStateName = 'closed' | 'open' | 'half-open' | 'isolated';

export class PrometheusSource implements TelemetrySource {
  readonly name = 'prometheus';
  readonly config: PrometheusSourceConfig;
  private readonly client: PrometheusHttpClient;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly policy: IPolicy;
  private readonly assembler: SnapshotAssembler;
  private readonly now: () => number;
  private lastGood: Snapshot | undefined;
  private failingSince: number | undefined;

  constructor(config: PrometheusSourceConfigInput, deps: PrometheusSourceDeps = {}) {
    this.config = parsePrometheusConfig(config);
    this.client = new PrometheusHttpClient({ url: this.config.url, timeoutMs: this.config.timeoutMs, headers: this.config.headers, fetch: deps.fetch });
    this.breaker = breakerPolicy(this.config.circuitBreaker);
    // Retry outside the breaker: every attempt counts towards opening it, and once open the retries stop.
    this.policy = wrap(retryPolicy(this.config.retry), this.breaker);
    this.assembler = new SnapshotAssembler(this.config);
    this.now = deps.now ?? Date.now;
  }

  get circuitState(): CircuitStateName {
    switch (this.breaker.state) {
      case CircuitState.Closed: return 'closed';
      case CircuitState.Open: return 'open';
      case CircuitState.HalfOpen: return 'half-open';
      case CircuitState.Isolated: return 'isolated';
    }
  }

  async snapshot(): Promise<Snapshot> {
    const at = Math.round(this.now()) / 1000;
    try {
      const results = await this.queryAll(at);
      const { snapshot } = this.assembler.assemble(at, results);
      this.lastGood = snapshot;
      this.failingSince = undefined;
      return snapshot;
    } catch (e) {
      if (e instanceof PrometheusQueryError) throw e;
      return this.stale(at, e);
    }
  }

  /**
   * One signal over [start, end] every `stepSeconds`, as series per service, deployment, pod or node (the
   * label the signal groups by). NaN points are dropped, so gaps stay gaps.
   */
  async history(signal: Signal, start: number, end: number, stepSeconds: number): Promise<Map<string, Point[]>> {
    const query = expandQuery(queryFor(this.config, signal), this.config.rateWindow);
    const matrix = await this.run(signal, query, (s) => this.client.range(query, start, end, stepSeconds, s));
    return seriesByLabel(matrix, groupLabel(signal));
  }

  private async queryAll(at: number): Promise<QueryResults> {
    const entries = await Promise.all(
      SIGNALS.map(async (signal): Promise<[Signal, Vector]> => {
        const query = expandQuery(queryFor(this.config, signal), this.config.rateWindow);
        return [signal, await this.run(signal, query, (s) => this.client.instant(query, at, s))];
      }),
    );
    return Object.fromEntries(entries) as QueryResults;
  }

  private async run<T>(signal: Signal, query: string, fn: (s: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await this.policy.execute(({ signal: abort }) => fn(abort));
    } catch (e) {
      if (e instanceof PrometheusRequestError && !e.retryable) throw new PrometheusQueryError(signal, query, e);
      throw e;
    }
  }

  /** The last good snapshot, marked degraded, while within the bound; otherwise a clear error. */
  private stale(at: number, e: unknown): Snapshot {
    const why = describeFailure(e);
    this.failingSince ??= at;
    const last = this.lastGood;
    if (!last) {
      throw new PrometheusUnavailableError(`no telemetry from Prometheus at ${this.config.url} yet: ${why}`, e);
    }
    const age = at - last.at;
    if (age > this.config.maxStaleSeconds) {
      throw new PrometheusUnavailableError(
        `Prometheus at ${this.config.url} has given no usable answer for ${Math.round(age)} s, longer than maxStaleSeconds (${this.config.maxStaleSeconds} s); ` +
          `stopping rather than acting on older data. Last error: ${why}`,
        e,
      );
    }
    return {
      ...last,
      at,
      // Per-pod memory is left out: repeated as if new, old samples would flatten a memory trend.
      services: last.services.map(({ pods: { memory: _old, ...pods }, ...s }) => ({ ...s, pods })),
      events: [],
      logs: [],
      degraded: `Prometheus unavailable (${why}); showing the last good snapshot, ${Math.round(age)} s old`,
    };
  }
}

function describeFailure(e: unknown): string {
  if (e instanceof BrokenCircuitError) return 'circuit open after repeated failures';
  if (e instanceof NoTelemetryError || e instanceof PrometheusRequestError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

function groupLabel(signal: Signal): string {
  if (signal.startsWith('deployment')) return 'deployment';
  if (signal.startsWith('pod')) return 'pod';
  if (signal.startsWith('node')) return 'node';
  return 'service';
}
