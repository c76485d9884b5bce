/**
 * The Prometheus TelemetrySource against a tiny local HTTP server that answers with Prometheus API responses
 * recorded from a real Prometheus 2.42 scraping `autonomic sim serve --speed 10` (test/fixtures/prometheus).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { PrometheusSource, PrometheusUnavailableError, PrometheusQueryError } from '../src/monitor/prometheus/source.js';
import type { PrometheusSourceConfigInput } from '../src/monitor/prometheus/config.js';
import { parseSampleValue } from '../src/monitor/prometheus/samples.js';
import { DEFAULT_QUERIES, expandQuery, SIGNALS } from '../src/monitor/prometheus/queries.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/prometheus/${name}`, import.meta.url), 'utf8'));
const ROUND = z.object({ time: z.number(), responses: z.record(z.string(), z.unknown()) }).parse(fixture('round.json'));
const MISC = z
  .object({ nan: z.object({ body: z.unknown() }), empty: z.object({ body: z.unknown() }), badQuery: z.object({ status: z.number(), body: z.unknown() }), range: z.object({ body: z.unknown() }) })
  .parse(fixture('misc.json'));
const WINDOW = '6s';
const q = (signal: keyof typeof DEFAULT_QUERIES): string => expandQuery(DEFAULT_QUERIES[signal], WINDOW);

type Mode = 'ok' | 'empty' | '503' | 'hang' | 'bad-query';

/** A fake Prometheus: answers each query from the recording; `mode` and `override` change its behaviour. */
class FakePrometheus {
  mode: Mode = 'ok';
  /** query → response body, replacing the recording. */
  readonly override = new Map<string, unknown>();
  requests = 0;
  readonly seen: { path: string; params: URLSearchParams }[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const params = new URLSearchParams(body);
    const path = req.url ?? '';
    this.seen.push({ path, params });
    const json = (status: number, payload: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    switch (this.mode) {
      case 'hang':
        return; // never answers: the client's timeout must fire
      case '503':
        // What Prometheus says while it starts up or is shutting down.
        res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
        return;
      case 'bad-query':
        json(MISC.badQuery.status, MISC.badQuery.body);
        return;
      case 'empty':
        json(200, MISC.empty.body);
        return;
      case 'ok': {
        const query = params.get('query') ?? '';
        if (path === '/api/v1/query_range') return json(200, this.override.get(query) ?? MISC.range.body);
        const answer = this.override.get(query) ?? ROUND.responses[query];
        if (answer === undefined) return json(400, { status: 'error', errorType: 'bad_data', error: `not recorded: ${query}` });
        json(200, answer);
      }
    }
  }
}

async function withFake(fn: (p: FakePrometheus) => Promise<void>): Promise<void> {
  const p = new FakePrometheus();
  await p.start();
  try {
    await fn(p);
  } finally {
    await p.stop();
  }
}

/** A clock the test moves; starts at the recording's evaluation time. */
function clock(): { now: () => number; advance: (s: number) => void } {
  let t = ROUND.time * 1000;
  return { now: () => t, advance: (s) => void (t += s * 1000) };
}

function source(p: FakePrometheus, c: { now: () => number }, extra: Partial<PrometheusSourceConfigInput> = {}): PrometheusSource {
  return new PrometheusSource(
    { url: p.url, rateWindow: WINDOW, timeoutMs: 2000, retry: { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 20 }, circuitBreaker: { consecutiveFailures: 5, halfOpenAfterMs: 300 }, ...extra },
    { now: c.now },
  );
}

test('sample values: NaN and ±Inf arrive as strings', () => {
  assert.ok(Number.isNaN(parseSampleValue('NaN')));
  assert.equal(parseSampleValue('+Inf'), Infinity);
  assert.equal(parseSampleValue('-Inf'), -Infinity);
  assert.equal(parseSampleValue('0.25'), 0.25);
});

test('a recorded round becomes the twin-shaped snapshot, every query evaluated at one instant', async () => {
  await withFake(async (p) => {
    const c = clock();
    const snap = await source(p, c).snapshot();
    assert.equal(snap.degraded, undefined);
    assert.equal(snap.at, ROUND.time);
    assert.deepEqual(snap.services.map((s) => s.name), ['api', 'checkout', 'web']);
    const web = snap.services.find((s) => s.name === 'web');
    assert.ok(web);
    assert.equal(web.replicas, 12);
    assert.equal(web.readyReplicas, 12);
    assert.equal(web.cpuRequestMillis, 500);
    assert.equal(web.memoryRequestMiB, 512);
    const { memory, ...counts } = web.pods;
    assert.deepEqual({ ...counts, cpuUsageMillis: 0 }, { ready: 12, unready: 0, missing: 0, cpuUsageMillis: 0 });
    // Per pod: cAdvisor's working set with kube-state-metrics' limit and request (the twin's base is 60 % of it).
    assert.equal(memory?.length, 12);
    for (const m of memory ?? []) {
      assert.match(m.pod, /^web-/);
      assert.deepEqual({ limit: m.limitMiB, request: m.requestMiB }, { limit: 512, request: 512 });
      assert.ok(Math.abs(m.workingSetMiB - 0.6 * 512) < 1e-6, `${m.workingSetMiB}`);
    }
    assert.ok(web.cpuUtilization > 0.1 && web.cpuUtilization < 1, `${web.cpuUtilization}`);
    assert.ok(Math.abs(web.cpuUtilization - web.pods.cpuUsageMillis / (12 * 500)) < 1e-12);
    assert.ok(web.requestRate > 50 && web.latencyP99Ms >= web.latencyP50Ms && web.latencyP50Ms > 0);
    assert.equal(snap.nodes.length, 4);
    assert.ok(snap.nodes.every((n) => n.ready && !n.provisioning && n.instanceType === 'm5.xlarge' && n.cpuAllocatableMillis === 3920));
    assert.equal(snap.nodes.reduce((s, n) => s + n.pods, 0), 24);
    assert.ok(Math.abs(snap.costPerHour - 4 * 0.192) < 1e-9);
    // One instant for the whole snapshot, and the configured rate window in the PromQL.
    const times = new Set(p.seen.map((s) => s.params.get('time')));
    assert.deepEqual([...times], [String(ROUND.time)]);
    assert.ok(p.seen.some((s) => s.params.get('query')?.includes('[6s]')));
    assert.equal(p.requests, SIGNALS.length);
  });
});

test('a Ready pod whose CPU series went stale counts as missing, as in the HPA', async () => {
  await withFake(async (p) => {
    const recorded = z.object({ data: z.object({ result: z.array(z.object({ metric: z.record(z.string(), z.string()) })) }) }).passthrough().parse(ROUND.responses[q('podCpuCores')]);
    const withoutOne = structuredClone(ROUND.responses[q('podCpuCores')]) as { data: { result: { metric: Record<string, string> }[] } };
    const gone = recorded.data.result.find((r) => r.metric.pod?.startsWith('web-'))?.metric.pod;
    withoutOne.data.result = withoutOne.data.result.filter((r) => r.metric.pod !== gone);
    p.override.set(q('podCpuCores'), withoutOne);
    const web = (await source(p, clock()).snapshot()).services.find((s) => s.name === 'web');
    assert.deepEqual({ ready: web?.pods.ready, missing: web?.pods.missing, unready: web?.pods.unready }, { ready: 11, missing: 1, unready: 0 });
  });
});

test('NaN samples are no samples: a signal never seen is 0; one seen before keeps its value and marks the snapshot degraded', async () => {
  await withFake(async (p) => {
    const c = clock();
    // First round: p99 latency is NaN everywhere (a summary with no observations yet).
    p.override.set(q('latencyP99Seconds'), MISC.nan.body);
    const src = source(p, c);
    const first = await src.snapshot();
    assert.equal(first.degraded, undefined);
    assert.ok(first.services.every((s) => s.latencyP99Ms === s.latencyP50Ms), 'p99 never seen: 0, then lifted to p50');
    // Second round: real values.
    p.override.clear();
    c.advance(15);
    const second = await src.snapshot();
    const webP99 = second.services.find((s) => s.name === 'web')?.latencyP99Ms ?? 0;
    assert.ok(webP99 > 0);
    // Third round: NaN again → the last value stands in, and the gap is reported.
    p.override.set(q('latencyP99Seconds'), MISC.nan.body);
    c.advance(15);
    const third = await src.snapshot();
    assert.equal(third.services.find((s) => s.name === 'web')?.latencyP99Ms, webP99);
    assert.match(third.degraded ?? '', /telemetry gaps.*web latencyP99Seconds/);
  });
});

test('503 → retries with backoff → the circuit opens → the last good snapshot, degraded → an error after maxStaleSeconds', async () => {
  await withFake(async (p) => {
    const c = clock();
    const src = source(p, c, { maxStaleSeconds: 300 });
    const good = await src.snapshot();
    assert.equal(src.circuitState, 'closed');

    p.mode = '503';
    p.requests = 0;
    c.advance(30);
    const degraded = await src.snapshot();
    // 25 queries in parallel, each tried up to 3 times; the breaker opens after 5 failures and the rest fail fast.
    assert.ok(p.requests >= 5 && p.requests < 25 * 3, `requests: ${p.requests}`);
    assert.equal(src.circuitState, 'open');
    assert.match(degraded.degraded ?? '', /^Prometheus unavailable \(.*\); showing the last good snapshot, 30 s old$/);
    // The last good snapshot's services, less their per-pod memory (old samples are not new ones).
    assert.deepEqual(degraded.services, good.services.map(({ pods: { memory: _m, ...pods }, ...svc }) => ({ ...svc, pods })));
    assert.equal(degraded.at, good.at + 30);
    assert.deepEqual(degraded.events, []);

    // While open, nothing reaches Prometheus.
    p.requests = 0;
    c.advance(200);
    const stillDegraded = await src.snapshot();
    assert.equal(p.requests, 0);
    assert.match(stillDegraded.degraded ?? '', /circuit open.*230 s old/);

    c.advance(100);
    await assert.rejects(src.snapshot(), (e: unknown) => {
      assert.ok(e instanceof PrometheusUnavailableError);
      assert.match(e.message, /has given no usable answer for 330 s, longer than maxStaleSeconds \(300 s\)/);
      return true;
    });
  });
});

test('timeouts are retried, open the circuit, and the source recovers after the half-open pause', async () => {
  await withFake(async (p) => {
    const c = clock();
    const src = source(p, c, { timeoutMs: 400, retry: { maxAttempts: 1, initialDelayMs: 20, maxDelayMs: 40 }, circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 250 } });
    await src.snapshot();
    p.mode = 'hang';
    p.requests = 0;
    c.advance(15);
    const started = performance.now();
    const degraded = await src.snapshot();
    const ms = performance.now() - started;
    assert.match(degraded.degraded ?? '', /Prometheus unavailable \(circuit open/);
    assert.equal(src.circuitState, 'open');
    // The 25 first attempts time out together and open the circuit; their retries then fail fast without a request.
    assert.ok(p.requests < 25 * 2, `requests: ${p.requests}`);
    assert.ok(ms >= 390 && ms < 3000, `${ms.toFixed(0)} ms`);

    p.mode = 'ok';
    await new Promise((r) => setTimeout(r, 300));
    c.advance(15);
    const fresh = await src.snapshot();
    assert.equal(fresh.degraded, undefined);
    assert.equal(src.circuitState, 'closed');
  });
});

test('no answer before any good snapshot, or answers with no data, is a clear error', async () => {
  await withFake(async (p) => {
    p.mode = 'empty';
    await assert.rejects(source(p, clock()).snapshot(), /no telemetry from Prometheus at .* yet: Prometheus answered but returned no deployments and no nodes/);
    p.mode = '503';
    await assert.rejects(source(p, clock(), { retry: { maxAttempts: 0 } }).snapshot(), PrometheusUnavailableError);
  });
});

test('empty answers after a good snapshot (targets gone stale) serve the last one, degraded', async () => {
  await withFake(async (p) => {
    const c = clock();
    const src = source(p, c);
    await src.snapshot();
    p.mode = 'empty';
    c.advance(60);
    const stale = await src.snapshot();
    assert.match(stale.degraded ?? '', /returned no deployments and no nodes.*60 s old/);
    // Old per-pod memory is not passed off as a new sample (it would flatten a memory trend).
    assert.ok(stale.services.length === 3 && stale.services.every((s) => s.pods.memory === undefined && s.pods.ready > 0));
  });
});

test('a query Prometheus rejects (400 bad_data) is a configuration error: not retried, circuit stays closed', async () => {
  await withFake(async (p) => {
    p.mode = 'bad-query';
    const src = source(p, clock());
    await assert.rejects(src.snapshot(), (e: unknown) => {
      assert.ok(e instanceof PrometheusQueryError);
      assert.match(e.message, /bad_data error \(HTTP 400\): invalid parameter "query"/);
      return true;
    });
    // The other queries were in flight when the first one failed: wait for them (a loaded machine is slow to
    // open 25 connections), then a little longer, in which a retry would show.
    for (let waited = 0; p.requests < SIGNALS.length && waited < 3000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(p.requests, SIGNALS.length, 'one request per query, no retries');
    assert.equal(src.circuitState, 'closed');
  });
});

test('range queries: series per service, NaN points left out as gaps', async () => {
  await withFake(async (p) => {
    const range = structuredClone(MISC.range.body) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
    const web = range.data.result.find((r) => r.metric.service === 'web');
    assert.ok(web && web.values.length >= 3);
    web.values[1] = [web.values[1][0], 'NaN'];
    p.override.set(q('requestRate'), range);
    const series = await source(p, clock()).history('requestRate', ROUND.time - 6, ROUND.time, 2);
    assert.deepEqual([...series.keys()].sort(), ['api', 'checkout', 'web']);
    const pts = series.get('web') ?? [];
    assert.equal(pts.length, web.values.length - 1);
    assert.ok(pts.every((x) => Number.isFinite(x.v) && x.v > 0));
    assert.ok(pts.every((x, i) => i === 0 || x.t > pts[i - 1].t));
    const sent = p.seen.find((s) => s.path === '/api/v1/query_range');
    assert.equal(sent?.params.get('step'), '2');
  });
});

test('the config is validated with a clear message', () => {
  assert.throws(() => new PrometheusSource({ url: 'not a url' }), /prometheus config url/);
  assert.throws(() => new PrometheusSource({ url: 'http://127.0.0.1:9090', rateWindow: 'soon' }), /rateWindow: a PromQL duration/);
  assert.throws(() => new PrometheusSource({ url: 'http://127.0.0.1:9090', queries: { cpu: 'x' } as never }), /prometheus config/);
});
