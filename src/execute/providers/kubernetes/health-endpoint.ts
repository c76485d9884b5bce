/**
 * The probes of the in-cluster Deployment: GET /healthz answers 200 while the loop shows signs of life (a tick, or
 * a follower's campaign step, within `maxSilenceMs`), else 503 so the kubelet restarts a hung process; GET /readyz
 * answers 200 once the loop has started. Plain node:http, bound to the pod's port only.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class Heartbeat {
  private last: number | undefined;
  constructor(private readonly maxSilenceMs: number, private readonly now: () => number = Date.now) {}

  /** The loop ticked, or a follower checked the Lease. */
  beat(): void {
    this.last = this.now();
  }

  get started(): boolean {
    return this.last !== undefined;
  }

  /** Alive until the first beat is overdue, and while beats keep coming. */
  alive(startedAt: number): boolean {
    const since = this.last ?? startedAt;
    return this.now() - since <= this.maxSilenceMs;
  }
}

export interface HealthEndpoint {
  url: string;
  close(): Promise<void>;
}

export async function startHealthEndpoint(port: number, heartbeat: Heartbeat, host = '0.0.0.0'): Promise<HealthEndpoint> {
  const startedAt = Date.now();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const answer = (ok: boolean, text: string): void => {
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(`${text}\n`);
    };
    if (path === '/healthz') return answer(heartbeat.alive(startedAt), heartbeat.alive(startedAt) ? 'ok' : 'no tick for too long');
    if (path === '/readyz') return answer(heartbeat.started, heartbeat.started ? 'ready' : 'starting');
    res.writeHead(404, { 'content-type': 'text/plain' }).end('autonomic: /healthz, /readyz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const a = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${a.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
