/** The memory trend: a leak is seen before the OOM kill; noise, a collector's saw-tooth and a step are not leaks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Snapshot } from '../src/core/snapshot.js';
import { Rng } from '../src/core/rng.js';
import type { Finding } from '../src/analyze/assessment.js';
import { faultClassOf } from '../src/analyze/faults/event-classifier.js';
import { MemoryTrendAnalyzer } from '../src/analyze/faults/memory-trend.js';
import { theilSen } from '../src/analyze/faults/theil-sen.js';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { scenarioTwin } from '../src/loop/scenario.js';

const T0 = 1704067200;
const TICK = 15;
const LIMIT = 512;
/** The twin's numbers: a pod rests at 60 % of its limit, and a leak takes it from there to the limit in 15 minutes. */
const BASE = 0.6 * LIMIT;
const LEAK_PER_S = (LIMIT - BASE) / 900;

interface PodSample {
  pod: string;
  ws: number;
  /** Default LIMIT; null: the pod sets no memory limit. */
  limit?: number | null;
}

function snapshot(at: number, pods: PodSample[]): Snapshot {
  return {
    at, nodes: [], events: [], logs: [], costPerHour: 0,
    services: [{
      name: 'web', replicas: pods.length, readyReplicas: pods.length, pendingReplicas: 0, cpuRequestMillis: 500, memoryRequestMiB: LIMIT,
      serviceRatePerReplica: 50, cpuUtilization: 0.5, memoryUtilization: 0.6, requestRate: 100, servedRate: 100, errorRate: 0,
      latencyP50Ms: 10, latencyP99Ms: 50, queueDepth: 0,
      pods: {
        ready: pods.length, unready: 0, missing: 0, cpuUsageMillis: 0,
        memory: pods.map((p) => ({ pod: p.pod, workingSetMiB: p.ws, ...(p.limit === null ? {} : { limitMiB: p.limit ?? LIMIT }), requestMiB: LIMIT })),
      },
    }],
  };
}

/** Feeds `seconds` of ticks (the working set of each pod as a function of seconds since T0); the findings per tick. */
function run(a: MemoryTrendAnalyzer, seconds: number, pods: Record<string, (t: number) => number>, from = 0): { t: number; findings: Finding[] }[] {
  const out: { t: number; findings: Finding[] }[] = [];
  for (let t = from; t <= seconds; t += TICK) {
    const snap = snapshot(T0 + t, Object.entries(pods).map(([pod, ws]) => ({ pod, ws: ws(t) })));
    out.push({ t, findings: a.analyze(snap, T0 + t) });
  }
  return out;
}

const firstFinding = (ticks: { t: number; findings: Finding[] }[]): { t: number; f: Finding } | undefined => {
  const k = ticks.find((x) => x.findings.length > 0);
  return k ? { t: k.t, f: k.findings[0] } : undefined;
};
const allFindings = (ticks: { t: number; findings: Finding[] }[]): Finding[] => ticks.flatMap((x) => x.findings);
/** A twin-like leak starting at `start` (flat before, at the limit it would be killed: here it just stays there). */
const leak = (start: number, base = BASE) => (t: number): number => Math.min(LIMIT, base + Math.max(0, t - start) * LEAK_PER_S);

test('Theil–Sen: slope and τ of a clean line, robust to an outlier, τ near 0 for noise', () => {
  const t = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const line = theilSen(t, t.map((x) => 3 + 2 * x));
  assert.deepEqual({ slope: line.slope, intercept: line.intercept, tau: line.tau, scatter: line.scatter }, { slope: 2, intercept: 3, tau: 1, scatter: 0 });
  // One glitch (a scrape gone wrong) barely moves it; least squares would.
  const glitch = theilSen(t, t.map((x) => (x === 4 ? 100 : 3 + 2 * x)));
  assert.equal(glitch.slope, 2);
  const rng = new Rng(3);
  const ts = Array.from({ length: 200 }, (_, i) => i);
  const noise = theilSen(ts, ts.map(() => rng.normal()));
  assert.ok(Math.abs(noise.tau) < 0.1 && Math.abs(noise.slope) < 0.01 && Math.abs(noise.scatter - 1) < 0.2, JSON.stringify(noise));
  assert.equal(theilSen([0, 1, 2], [5, 5, 5]).tau, 0, 'flat: no direction');
});

test('a leak is reported after about two minutes of growth, long before the OOM kill, naming the pod', () => {
  const start = 20 * 60 + 7;
  const ticks = run(new MemoryTrendAnalyzer(), 40 * 60, { 'web-5f7c9d8b-0000a': leak(start), 'web-5f7c9d8b-0000b': () => BASE });
  const first = firstFinding(ticks);
  assert.ok(first, 'never reported');
  // At least ~two minutes of growth (the tick before the leak is its low point), at most a tick or two more.
  assert.ok(first.t - start >= 105 && first.t - start <= 135, `reported ${first.t - start} s after the leak began`);
  const f = first.f;
  assert.equal(faultClassOf(f), 'memory-leak');
  assert.equal(f.kind, 'fault');
  assert.equal(f.target, 'service/web');
  assert.equal(f.severity, 'warning');
  assert.equal(f.evidence.pod, 'web-5f7c9d8b-0000a');
  assert.equal(f.evidence.limitMiB, LIMIT);
  assert.ok(Math.abs(Number(f.evidence.slopeMiBPerMin) - LEAK_PER_S * 60) < 0.05, `${f.evidence.slopeMiBPerMin}`);
  // Projected time to the limit: about what is left of the 15 minutes.
  const left = 900 - (first.t - start);
  assert.ok(Math.abs(Number(f.evidence.secondsToLimit) - left) <= 30, `${f.evidence.secondsToLimit} s vs ${left} s`);
  assert.match(f.message, /^web: pod web-5f7c9d8b-0000a memory has grown 13\.7 MiB\/min for 2 min \(\d+ of 512 MiB\); at this rate it is OOM-killed in about 1[23] min$/);
  // Reported on every tick while it grows, only for the leaking pod, and critical in the last five minutes.
  const during = ticks.filter((k) => k.t >= first.t && k.t < start + 900);
  assert.ok(during.every((k) => k.findings.length === 1 && k.findings[0].evidence.pod === 'web-5f7c9d8b-0000a'));
  const critical = during.filter((k) => k.findings[0].severity === 'critical').map((k) => k.t - start);
  assert.ok(critical.length > 0 && critical[0] >= 900 - 300 - TICK && critical[0] <= 900 - 300 + 2 * TICK, `critical from ${critical[0]} s`);
});

test('a noisy leak is still seen within a few minutes', () => {
  const rng = new Rng(7);
  const start = 30 * 60;
  const noisy = leak(start);
  const first = firstFinding(run(new MemoryTrendAnalyzer(), start + 900, { 'web-5f7c9d8b-0000a': (t) => noisy(t) + 4 * rng.normal() }));
  assert.ok(first && first.t - start <= 240, `reported ${first ? first.t - start : 'never'} s after the leak began`);
});

test('healthy pods are not leaks: flat with noise, a load-following swing, a collector saw-tooth, a step up', () => {
  const rng = new Rng(11);
  const hours = 12;
  const pods: Record<string, (t: number) => number> = {};
  // Flat with scrape noise of 1.5 % of the limit.
  for (let i = 0; i < 4; i++) pods[`web-5f7c9d8b-flat${i}`] = () => BASE + 8 * rng.normal();
  // Working set following the load: ±5 % of the limit over an hour, plus noise.
  for (let i = 0; i < 2; i++) pods[`web-5f7c9d8b-load${i}`] = (t) => BASE + 0.05 * LIMIT * Math.sin((2 * Math.PI * (t + i * 900)) / 3600) + 3 * rng.normal();
  // A garbage-collected heap: climbs 40–80 MiB in 2–4 minutes (fast enough to hit the limit within minutes were it
  // a leak), then drops back; never above its earlier peaks.
  const saw = (period: number, amplitude: number, phase: number) => (t: number): number => BASE + (amplitude * ((t + phase) % period)) / period + 2 * rng.normal();
  pods['web-5f7c9d8b-gc000'] = saw(120, 40, 0);
  pods['web-5f7c9d8b-gc001'] = saw(180, 80, 50);
  pods['web-5f7c9d8b-gc002'] = saw(240, 60, 100);
  // A step: a cache fills within a minute (+40 MiB), then memory stays there; again three hours later.
  pods['web-5f7c9d8b-step0'] = (t) => BASE + Math.min(40, Math.max(0, t - 3600) * (40 / 60)) + Math.min(40, Math.max(0, t - 4 * 3600) * (40 / 60));
  const found = allFindings(run(new MemoryTrendAnalyzer(), hours * 3600, pods));
  assert.deepEqual(found.map((f) => `${String(f.evidence.pod)}: ${f.message}`), []);
});

test('a restart (memory back to its base) ends the report; a leak that resumes is reported again before the next kill', () => {
  const start = 20 * 60;
  const restartAt = start + 180;
  // Restarted: back at its base for good.
  const fixed = run(new MemoryTrendAnalyzer(), restartAt + 30 * 60, { 'web-5f7c9d8b-0000a': (t) => (t < restartAt ? leak(start)(t) : BASE) });
  assert.ok(fixed.some((k) => k.t < restartAt && k.findings.length > 0), 'reported before the restart');
  assert.deepEqual(allFindings(fixed.filter((k) => k.t >= restartAt)), [], 'nothing after the restart');

  // Restarted, but the leak goes on from its base: quiet at first, then seen again before it reaches the limit.
  const resumed = run(new MemoryTrendAnalyzer(), restartAt + 900, { 'web-5f7c9d8b-0000a': (t) => (t < restartAt ? leak(start)(t) : leak(restartAt)(t)) });
  const again = firstFinding(resumed.filter((k) => k.t >= restartAt));
  assert.ok(again, 'the resumed leak was never reported');
  assert.ok(again.t - restartAt >= 120 && again.t - restartAt < 600, `reported ${again.t - restartAt} s after the restart`);
});

test('a young pod is watched before it is judged; pods without a memory limit or with non-Kubernetes names are not judged', () => {
  // Leaking from its first sample: judged once watched for baseline + minimum growth (7 minutes), not before.
  const young = firstFinding(run(new MemoryTrendAnalyzer(), 900, { 'web-5f7c9d8b-0000a': leak(0) }));
  assert.ok(young && young.t >= 420 - TICK && young.t <= 420 + TICK, `reported at ${young?.t}`);
  assert.equal(young.f.evidence.usualHighMiB, undefined, 'no usual high before a rise that began with the pod');

  const a = new MemoryTrendAnalyzer();
  const found: Finding[] = [];
  for (let t = 0; t <= 40 * 60; t += TICK) {
    const ws = leak(20 * 60)(t);
    found.push(...a.analyze(snapshot(T0 + t, [{ pod: 'web-5f7c9d8b-nolim', ws, limit: null }, { pod: 'Web Pod; rm -rf /', ws }]), T0 + t));
  }
  assert.deepEqual(found, []);
});

test('pods that come and go: scrape gaps are skipped, and a new pod never inherits the samples of one that left', () => {
  // A leaking pod whose every fourth scrape is missing is still seen.
  const a = new MemoryTrendAnalyzer();
  const start = 20 * 60;
  let seen: number | undefined;
  for (let t = 0; t <= start + 600 && seen === undefined; t += TICK) {
    const pods = t % 60 === 30 ? [] : [{ pod: 'web-5f7c9d8b-0000a', ws: leak(start)(t) }];
    if (a.analyze(snapshot(T0 + t, pods), T0 + t).length > 0) seen = t - start;
  }
  assert.ok(seen !== undefined && seen <= 180, `seen ${seen} s after the leak began`);

  // Pod a leaks and is deleted before it is reported; long after, pods b and c appear (one takes a's freed place)
  // at a's last level and stay there: flat, so never reported, whatever a's row held.
  const b = new MemoryTrendAnalyzer();
  // Internals, read only to make sure the place really is reused.
  const rows = (b as unknown as { rows: Map<string, number> }).rows;
  const found: Finding[] = [];
  let rowOfA: number | undefined;
  for (let t = 0; t <= 90 * 60; t += TICK) {
    const pods: PodSample[] = [];
    if (t < start + 100) pods.push({ pod: 'web-5f7c9d8b-0000a', ws: leak(start)(t) });
    if (t >= 60 * 60) pods.push({ pod: 'web-5f7c9d8b-0000b', ws: leak(start)(start + 100) }, { pod: 'web-5f7c9d8b-0000c', ws: BASE });
    found.push(...b.analyze(snapshot(T0 + t, pods), T0 + t));
    rowOfA ??= rows.get('web-5f7c9d8b-0000a');
  }
  assert.deepEqual(found, []);
  assert.equal(rows.has('web-5f7c9d8b-0000a'), false, 'forgotten');
  assert.ok(rowOfA !== undefined && [rows.get('web-5f7c9d8b-0000b'), rows.get('web-5f7c9d8b-0000c')].includes(rowOfA), 'a\'s place was reused');
});

test('on the twin: no finding for healthy pods under the normal load; the same leak gives the same findings twice', () => {
  const healthy = new TwinCluster(scenarioTwin({ kind: 'generator', name: 'diurnal' }, 1));
  const a = new MemoryTrendAnalyzer();
  let pods = 0;
  for (let i = 0; i < (6 * 3600) / TICK; i++) {
    healthy.advance(TICK);
    const snap = healthy.snapshotNow();
    pods = snap.services.reduce((n, s) => n + (s.pods.memory?.length ?? 0), 0);
    assert.deepEqual(a.analyze(snap, snap.at), []);
  }
  assert.ok(pods >= 24, `${pods} pods with memory`);

  const leaking = (): string => {
    const twin = new TwinCluster(scenarioTwin({ kind: 'generator', name: 'diurnal' }, 1));
    twin.inject({ kind: 'memory-leak', target: 'api', at: 1500 });
    const an = new MemoryTrendAnalyzer();
    const out: Finding[] = [];
    for (let i = 0; i < 3600 / TICK; i++) {
      twin.advance(TICK);
      const snap = twin.snapshotNow();
      out.push(...an.analyze(snap, snap.at));
    }
    return JSON.stringify(out);
  };
  const once = leaking();
  assert.ok(JSON.parse(once).length > 0, 'the twin leak is seen');
  assert.equal(leaking(), once);
});
