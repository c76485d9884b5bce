/**
 * Prometheus HTTP API (/api/v1/query, /api/v1/query_range) over fetch, with a per-request timeout. One call is
 * one request: retries and the circuit breaker wrap it from outside (retry.ts, circuit-breaker.ts).
 */
import { z } from 'zod';

const LabelsSchema = z.record(z.string(), z.string());
/** [unix seconds, "value"]: values are strings so NaN and ±Inf survive JSON. */
const SampleSchema = z.tuple([z.number(), z.string()]);

export const VectorSchema = z.array(z.object({ metric: LabelsSchema, value: SampleSchema }));
export const MatrixSchema = z.array(z.object({ metric: LabelsSchema, values: z.array(SampleSchema) }));

const DataSchema = z.discriminatedUnion('resultType', [
  z.object({ resultType: z.literal('vector'), result: VectorSchema }),
  z.object({ resultType: z.literal('matrix'), result: MatrixSchema }),
  z.object({ resultType: z.literal('scalar'), result: SampleSchema }),
  z.object({ resultType: z.literal('string'), result: SampleSchema }),
]);

export const ApiResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('success'), data: DataSchema, warnings: z.array(z.string()).optional() }),
  z.object({ status: z.literal('error'), errorType: z.string(), error: z.string(), data: z.unknown().optional() }),
]);

export type Vector = z.infer<typeof VectorSchema>;
export type Matrix = z.infer<typeof MatrixSchema>;

export type RequestErrorKind = 'network' | 'timeout' | 'http' | 'api' | 'decode';

/** A failed request. `retryable`: the same request may succeed later (outage, overload, timeout). */
export class PrometheusRequestError extends Error {
  constructor(
    message: string,
    readonly kind: RequestErrorKind,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PrometheusRequestError';
  }
}

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpClientOptions {
  url: string;
  timeoutMs: number;
  headers?: Record<string, string>;
  fetch?: FetchFn;
}

export class PrometheusHttpClient {
  private readonly base: string;
  private readonly fetchFn: FetchFn;

  constructor(private readonly o: HttpClientOptions) {
    this.base = o.url.replace(/\/+$/, '');
    this.fetchFn = o.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Instant query at `time` (unix seconds). */
  async instant(query: string, time: number, signal?: AbortSignal): Promise<Vector> {
    const data = await this.post('/api/v1/query', { query, time: String(time) }, signal);
    if (data.resultType === 'vector') return data.result;
    if (data.resultType === 'scalar') return [{ metric: {}, value: data.result }];
    throw new PrometheusRequestError(`expected a vector for ${query}, got a ${data.resultType}`, 'decode', false);
  }

  /** Range query over [start, end] (unix seconds) every `step` seconds. */
  async range(query: string, start: number, end: number, step: number, signal?: AbortSignal): Promise<Matrix> {
    const data = await this.post('/api/v1/query_range', { query, start: String(start), end: String(end), step: String(step) }, signal);
    if (data.resultType === 'matrix') return data.result;
    throw new PrometheusRequestError(`expected a matrix for ${query}, got a ${data.resultType}`, 'decode', false);
  }

  /** POST form: queries can be long, and Prometheus accepts both GET and POST here. */
  private async post(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<z.infer<typeof DataSchema>> {
    const timeout = AbortSignal.timeout(this.o.timeoutMs);
    const body = new URLSearchParams({ ...params, timeout: `${this.o.timeoutMs / 1000}s` });
    let res: Response;
    let text: string;
    try {
      res = await this.fetchFn(this.base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...this.o.headers },
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await res.text();
    } catch (e) {
      if (timeout.aborted) throw new PrometheusRequestError(`no answer from ${this.base} within ${this.o.timeoutMs} ms`, 'timeout', true);
      if (signal?.aborted) throw e;
      throw new PrometheusRequestError(`cannot reach ${this.base}: ${describeCause(e)}`, 'network', true);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = ApiResponseSchema.safeParse(json);
    if (!parsed.success) {
      const snippet = text.slice(0, 120).replace(/\s+/g, ' ');
      throw new PrometheusRequestError(`${this.base}${path} answered HTTP ${res.status} with no Prometheus API response: ${snippet}`, res.ok ? 'decode' : 'http', retryableStatus(res.status), res.status);
    }
    const r = parsed.data;
    if (r.status === 'error') {
      // bad_data (400) and execution (422) are the query's fault: retrying cannot help. timeout/unavailable (503) can.
      const retryable = retryableStatus(res.status) || r.errorType === 'timeout' || r.errorType === 'unavailable';
      throw new PrometheusRequestError(`Prometheus ${r.errorType} error (HTTP ${res.status}): ${r.error}`, 'api', retryable, res.status);
    }
    if (!res.ok) throw new PrometheusRequestError(`${this.base}${path} answered HTTP ${res.status}`, 'http', retryableStatus(res.status), res.status);
    return r.data;
  }
}

function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function describeCause(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) return cause.message;
    return e.message;
  }
  return String(e);
}
