/**
 * The `--rollout` syntax of `autonomic simulate`: `SERVICE:REVISION@TIME[:errors=X][:latency=Y]`, e.g.
 * `checkout:r2@6h:errors=3`. TIME is after the run's start (as for --faults); `errors` is the share of requests the
 * revision fails, in % (3 = 3 %, `3%` also accepted; default 0); `latency` its service time relative to the
 * current revision's (2 = twice as slow; default 1). The behaviour is the release's ground truth, given to the twin
 * only: the loop sees it through the canary analysis, as it would on a real cluster.
 */
import { UserError } from '../core/errors.js';
import { parseDuration } from '../execute/twin/faults.js';

export interface ScheduledRollout {
  service: string;
  revision: string;
  /** Seconds after the run's start. */
  at: number;
  /** Share of served requests the revision fails, 0..1. */
  errorRate: number;
  latencyFactor: number;
  /** The flag as given, for reports. */
  text: string;
}

/** Every service starts on this revision (execute/twin/rollout.ts): rolling it out again means nothing. */
const RUNNING_REVISION = 'r1';
const SYNTAX = 'SERVICE:REVISION@TIME[:errors=X][:latency=Y], e.g. checkout:r2@6h:errors=3';
const NAME = /^[A-Za-z0-9._-]+$/;

/** One `--rollout` value; `services` the known service names, `runSeconds` the run's length. */
export function parseRollout(text: string, services: readonly string[], runSeconds: number): ScheduledRollout {
  const where = `--rollout '${text}'`;
  const fail = (message: string): never => {
    throw new UserError(message, where);
  };
  const item = text.trim();
  const atSign = item.indexOf('@');
  if (atSign < 0) fail(`no @TIME: expected ${SYNTAX}`);
  const target = item.slice(0, atSign).split(':');
  const [timeText, ...options] = item.slice(atSign + 1).split(':');
  if (target.length !== 2) fail(`expected SERVICE:REVISION before the @, got '${item.slice(0, atSign)}' (${SYNTAX})`);
  const [service, revision] = target;
  if (service === '') fail(`the service is empty (${SYNTAX})`);
  if (!services.includes(service)) fail(`unknown service '${service}' (known: ${services.join(', ')})`);
  if (!NAME.test(revision)) fail(`bad revision '${revision}': letters, digits, '.', '_' or '-' (${SYNTAX})`);
  if (revision === RUNNING_REVISION) fail(`revision '${revision}' is the one every service runs at the start: name the new revision, e.g. r2`);
  const at = parseDuration(timeText);
  if (!Number.isFinite(at)) fail(`bad time '${timeText}' (use e.g. 90s, 30m, 6h, 1d12h)`);
  if (at >= runSeconds) fail(`time '${timeText}' is not before the end of the run (${formatDays(runSeconds)})`);
  let errorRate = 0;
  let latencyFactor = 1;
  const seen = new Set<string>();
  for (const option of options) {
    const eq = option.indexOf('=');
    const key = eq < 0 ? option : option.slice(0, eq);
    const value = eq < 0 ? '' : option.slice(eq + 1).trim();
    if (key !== 'errors' && key !== 'latency') fail(`unknown option '${option}' (known: errors=PERCENT, latency=FACTOR)`);
    if (seen.has(key)) fail(`${key} is given twice`);
    seen.add(key);
    if (key === 'errors') {
      const n = value === '' ? NaN : Number(value.replace(/%$/, ''));
      if (!Number.isFinite(n) || n < 0 || n > 100) fail(`bad errors '${value}': a percentage of requests in 0..100, e.g. errors=3`);
      errorRate = n / 100;
    } else {
      const n = value === '' ? NaN : Number(value);
      if (!Number.isFinite(n) || n <= 0) fail(`bad latency '${value}': a service-time factor above 0, e.g. latency=2 (twice as slow)`);
      latencyFactor = n;
    }
  }
  return { service, revision, at, errorRate, latencyFactor, text: item };
}

/** Every `--rollout` value; a revision of a service given twice is an error (its behaviour would be ambiguous). */
export function parseRollouts(texts: readonly string[], services: readonly string[], runSeconds: number): ScheduledRollout[] {
  const out: ScheduledRollout[] = [];
  for (const text of texts) {
    const r = parseRollout(text, services, runSeconds);
    if (out.some((o) => o.service === r.service && o.revision === r.revision)) {
      throw new UserError(`${r.service} revision ${r.revision} is rolled out twice`, `--rollout '${r.text}'`);
    }
    out.push(r);
  }
  return out;
}

function formatDays(seconds: number): string {
  const days = seconds / 86_400;
  return `${Number.isInteger(days) ? days : days.toFixed(2)} day${days === 1 ? '' : 's'}`;
}
