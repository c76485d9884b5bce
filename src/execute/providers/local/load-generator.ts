/**
 * Open-loop load from a trace: requests are sent at the trace's rate whether or not earlier ones have been answered
 * (a closed loop would slow down with the service and hide an outage). The rate per second comes from a CSV
 * (`rate` or `second,rate` per line) or a function of elapsed seconds; arrivals within a second are evenly spaced.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

export type RateTrace = (elapsedSeconds: number) => number;

/** A CSV trace, repeated when it runs out. */
export function csvTrace(path: string): RateTrace {
  const rates: number[] = [];
  for (const [i, raw] of readFileSync(path, 'utf8').split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(',');
    const v = Number(cells[cells.length - 1]);
    if (!Number.isFinite(v) || v < 0) {
      if (rates.length === 0 && i === 0) continue; // a header line
      throw new Error(`${path}:${i + 1}: expected a non-negative rate, got '${cells[cells.length - 1]}'`);
    }
    rates.push(v);
  }
  if (rates.length === 0) throw new Error(`${path}: no rates`);
  return (t) => rates[Math.floor(t) % rates.length];
}

export const constantTrace = (rps: number): RateTrace => () => rps;

export interface RequestResult {
  /** Wall clock, ms since the epoch, when the request was sent. */
  at: number;
  /** HTTP status, or 0 when there was no answer (connection failed, timed out). */
  status: number;
  latencyMs: number;
}

export class LoadGenerator {
  readonly results: RequestResult[] = [];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private sent = 0;
  private pending = 0;

  constructor(private readonly url: string, private readonly trace: RateTrace, private readonly timeoutMs = 5000) {}

  start(): void {
    this.startedAt = performance.now();
    let due = 0;
    let last = 0;
    // A 10 ms clock: each tick sends what the trace owes for the time since the last one (not for 10 ms), so a late
    // timer on a busy machine catches up instead of losing load.
    this.timer = setInterval(() => {
      const t = (performance.now() - this.startedAt) / 1000;
      due += Math.max(0, this.trace(Math.floor(t))) * (t - last);
      last = t;
      while (due >= 1) {
        due -= 1;
        this.fire();
      }
    }, 10);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const end = performance.now() + this.timeoutMs;
    while (this.pending > 0 && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
    this.agent.destroy();
  }

  /** Requests sent in [fromMs, toMs) that did not get a 2xx. */
  failedBetween(fromMs: number, toMs: number): number {
    return this.results.filter((r) => r.at >= fromMs && r.at < toMs && !(r.status >= 200 && r.status < 300)).length;
  }

  get sentCount(): number {
    return this.sent;
  }

  private fire(): void {
    const at = Date.now();
    const t0 = performance.now();
    this.sent++;
    this.pending++;
    let finished = false;
    const done = (status: number): void => {
      if (finished) return;
      finished = true;
      this.pending--;
      this.results.push({ at, status, latencyMs: performance.now() - t0 });
    };
    const req = request(this.url, { agent: this.agent, timeout: this.timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
      res.on('error', () => done(0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => done(0));
    req.end();
  }
}
