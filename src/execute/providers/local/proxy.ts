/**
 * The small round-robin proxy in front of a local deployment's replicas (its Service and ingress in one). Active
 * health checks (GET /healthz every `healthIntervalMs`; two failures in a row, like a probe's failureThreshold, so
 * one slow answer on a busy machine does not count) and passive ones (a refused or reset connection, at once) take
 * a replica out of rotation; a request that failed to reach a replica is retried on another one at most
 * `retryBudget` times, and only then answered 502 (503 when no replica is ready at all). A replica's own answer,
 * 500 included, is passed through: retrying the application's errors would hide them.
 *
 * Bodies are buffered both ways: requests are small, and a request can only be retried while nothing has been
 * sent to the client. `/-/metrics` is the proxy's own scrape (what clients saw), plus `extraMetrics()` (the
 * deployment-level state series).
 */
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { EXPOSITION_CONTENT_TYPE, Exposition } from './exposition.js';

export interface ProxyOptions {
  namespace: string;
  service: string;
  /** Extra attempts on other replicas after a failed one. */
  retryBudget?: number;
  healthIntervalMs?: number;
  requestTimeoutMs?: number;
  extraMetrics?: () => string;
}

interface Backend {
  pod: string;
  url: URL;
  ready: boolean;
  checking: boolean;
  failures: number;
}

export interface ProxyStats {
  /** Answers to clients by status code. */
  byCode: Map<number, number>;
  retries: number;
  /** Requests that failed on every attempt the retry budget allowed (answered 502/503). */
  exhausted: number;
}

class UpstreamError extends Error {}

export class RoundRobinProxy {
  readonly retryBudget: number;
  readonly stats: ProxyStats = { byCode: new Map(), retries: 0, exhausted: 0 };
  private readonly backends = new Map<string, Backend>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly healthIntervalMs: number;
  private readonly timeoutMs: number;
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private inFlight = 0;
  port = 0;

  constructor(private readonly o: ProxyOptions) {
    this.retryBudget = o.retryBudget ?? 2;
    this.healthIntervalMs = o.healthIntervalMs ?? 500;
    this.timeoutMs = o.requestTimeoutMs ?? 5000;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<number> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('no TCP address');
    this.port = addr.port;
    this.timer = setInterval(() => this.checkAll(), this.healthIntervalMs);
    this.timer.unref();
    return this.port;
  }

  add(pod: string, url: string): void {
    const b: Backend = { pod, url: new URL(url), ready: false, checking: false, failures: 0 };
    this.backends.set(pod, b);
    void this.check(b);
  }

  remove(pod: string): void {
    this.backends.delete(pod);
  }

  isReady(pod: string): boolean {
    return this.backends.get(pod)?.ready === true;
  }

  readyPods(): string[] {
    return [...this.backends.values()].filter((b) => b.ready).map((b) => b.pod);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.agent.destroy();
    const s = this.server;
    if (!s) return;
    await new Promise<void>((r) => {
      s.close(() => r());
      s.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url === '/-/metrics') {
      res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE }).end(this.metrics());
      return;
    }
    this.inFlight++;
    try {
      const body = await readBody(req);
      const tried = new Set<string>();
      let lastError = 'no ready replica';
      for (let attempt = 0; attempt <= this.retryBudget; attempt++) {
        const b = this.pick(tried);
        if (!b) break;
        tried.add(b.pod);
        if (attempt > 0) this.stats.retries++;
        try {
          const r = await this.forward(b, req, body);
          this.answer(res, r.status, r.headers, r.body);
          return;
        } catch (e) {
          lastError = `${b.pod}: ${(e as Error).message}`;
          // Passive health check: a replica that refused or dropped a connection is out until its probe passes.
          b.ready = false;
        }
      }
      this.stats.exhausted++;
      const status = tried.size === 0 ? 503 : 502;
      this.answer(res, status, { 'content-type': 'text/plain' }, Buffer.from(`${status === 503 ? 'no ready replica' : `failed after ${tried.size} attempts`}: ${lastError}\n`));
    } finally {
      this.inFlight--;
    }
  }

  private answer(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer): void {
    this.stats.byCode.set(status, (this.stats.byCode.get(status) ?? 0) + 1);
    res.writeHead(status, headers).end(body);
  }

  private pick(exclude: ReadonlySet<string>): Backend | undefined {
    const ready = [...this.backends.values()].filter((b) => b.ready && !exclude.has(b.pod));
    if (ready.length === 0) return undefined;
    this.next = (this.next + 1) % 1_000_000;
    return ready[this.next % ready.length];
  }

  private forward(b: Backend, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const up = request(
        { host: b.url.hostname, port: b.url.port, path: req.url, method: req.method, agent: this.agent, timeout: this.timeoutMs, headers: { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' } },
        (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve({ status: r.statusCode ?? 502, headers: { 'content-type': String(r.headers['content-type'] ?? 'text/plain') }, body: Buffer.concat(chunks) }));
          r.on('error', (e) => reject(new UpstreamError(e.message)));
        },
      );
      up.on('timeout', () => up.destroy(new UpstreamError(`no answer within ${this.timeoutMs} ms`)));
      up.on('error', (e) => reject(new UpstreamError(e.message)));
      up.end(body);
    });
  }

  private checkAll(): void {
    for (const b of this.backends.values()) void this.check(b);
  }

  private async check(b: Backend): Promise<void> {
    if (b.checking) return;
    b.checking = true;
    try {
      const r = await fetch(new URL('/healthz', b.url), { signal: AbortSignal.timeout(1000) });
      await r.body?.cancel();
      if (!r.ok) throw new Error(`status ${r.status}`);
      b.failures = 0;
      b.ready = true;
    } catch {
      b.failures++;
      if (b.failures >= 2) b.ready = false;
    } finally {
      b.checking = false;
    }
  }

  private metrics(): string {
    const { namespace, service } = this.o;
    const e = new Exposition();
    const req = e.family('autonomic_proxy_requests_total', 'counter', 'Requests answered to clients, by status code (502/503: the retry budget was exhausted).');
    for (const code of new Set([200, 500, 502, 503, ...this.stats.byCode.keys()])) req({ namespace, service, code: String(code) }, this.stats.byCode.get(code) ?? 0);
    e.family('autonomic_proxy_retries_total', 'counter', 'Attempts on another replica after a failed one.')({ namespace, service }, this.stats.retries);
    e.family('autonomic_proxy_exhausted_total', 'counter', 'Requests that failed on every attempt the retry budget allowed.')({ namespace, service }, this.stats.exhausted);
    e.family('autonomic_service_queue_depth', 'gauge', 'Requests in flight through the proxy.')({ namespace, service }, this.inFlight);
    return e.render() + (this.o.extraMetrics?.() ?? '');
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
