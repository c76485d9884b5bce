import { z } from 'zod';
import { UserError } from '../../core/errors.js';
import { DEFAULT_QUERIES, SIGNALS, type Signal } from './queries.js';

const regex = z.string().refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

const queryOverrides = z
  .object(Object.fromEntries(SIGNALS.map((s) => [s, z.string().min(1).optional()])) as Record<Signal, z.ZodOptional<z.ZodString>>)
  .strict();

/** How the Prometheus TelemetrySource reaches Prometheus and what it asks. Every field has a default but `url`. */
export const PrometheusSourceConfigSchema = z
  .object({
    /** Base URL of the Prometheus server, e.g. http://127.0.0.1:9090 (a path prefix is kept). */
    url: z.url({ protocol: /^https?$/ }),
    /** Per request, client side; also sent as the query's `timeout` so Prometheus gives up too. */
    timeoutMs: z.number().int().positive().default(5000),
    retry: z
      .object({
        /** Retries after the first try (0 = no retry). */
        maxAttempts: z.number().int().min(0).max(10).default(3),
        /** Exponential backoff with decorrelated jitter from this delay, capped at maxDelayMs. */
        initialDelayMs: z.number().int().positive().default(200),
        maxDelayMs: z.number().int().positive().default(5000),
      })
      .prefault({}),
    circuitBreaker: z
      .object({
        /** Consecutive failed requests that open the circuit: then requests fail at once instead of waiting. */
        consecutiveFailures: z.number().int().positive().default(5),
        /** How long the circuit stays open before one trial request is let through. */
        halfOpenAfterMs: z.number().int().positive().default(30000),
      })
      .prefault({}),
    /** How long the last good snapshot may stand in (marked degraded) while Prometheus fails; then snapshot() throws. */
    maxStaleSeconds: z.number().positive().default(300),
    /** The `$window` of rate() queries. One minute matches the HPA's metrics pipeline (metrics-server). */
    rateWindow: z.string().regex(/^(\d+(ms|s|m|h|d))+$/, 'a PromQL duration such as 30s, 1m, 1m30s').default('1m'),
    /** Pod name → Deployment name (first capture group); the default strips the ReplicaSet hash and pod suffix. */
    podServicePattern: regex.default('^(.+)-[a-z0-9]+-[a-z0-9]+$'),
    /** PromQL per signal, replacing the defaults of queries.ts. */
    queries: queryOverrides.default({}),
    services: z
      .record(
        z.string().min(1),
        z.object({
          /** req/s one replica serves at its CPU request; not observable, estimated from throughput per CPU when unset. */
          serviceRatePerReplica: z.number().positive().optional(),
        }),
      )
      .default({}),
    /** Used when a service's rate per replica is neither configured nor estimable yet (no traffic). */
    defaultServiceRatePerReplica: z.number().positive().default(50),
    /** Extra request headers (e.g. Authorization for a managed Prometheus). */
    headers: z.record(z.string(), z.string()).default({}),
  })
  .strict();
export type PrometheusSourceConfig = z.output<typeof PrometheusSourceConfigSchema>;
export type PrometheusSourceConfigInput = z.input<typeof PrometheusSourceConfigSchema>;

/** Parses a config, turning the first problem into a UserError that names the field. */
export function parsePrometheusConfig(input: unknown, where = 'prometheus config'): PrometheusSourceConfig {
  const r = PrometheusSourceConfigSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UserError(i.message, `${where} ${i.path.join('.') || '(root)'}`);
  }
  return r.data;
}

/** The PromQL for a signal: the configured override or the default. */
export function queryFor(config: PrometheusSourceConfig, signal: Signal): string {
  return config.queries[signal] ?? DEFAULT_QUERIES[signal];
}
