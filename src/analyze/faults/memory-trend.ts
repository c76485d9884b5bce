import { z } from 'zod';
import type { Snapshot } from '../../core/snapshot.js';
import type { Analyzer, Finding } from '../assessment.js';
import { isKubernetesName, type FaultClass } from './event-classifier.js';
import { theilSen } from './theil-sen.js';

export const MemoryTrendConfigSchema = z
  .object({
    /** Memory must have risen from its low point for at least this long: a leak is sustained, a spike is not. */
    minGrowthSeconds: z.number().positive().default(120),
    /** The low point a rise is measured from is looked for this far back (longer: slower leaks are seen). */
    maxFitSeconds: z.number().positive().default(600),
    /**
     * History before the low point where the pod's usual high is learned: the peaks of a garbage collector's
     * saw-tooth are normal, so a rise counts only once it is above them. A pod is judged only after it has been
     * watched for this plus minGrowthSeconds (its start-up growth is normal too).
     */
    baselineSeconds: z.number().nonnegative().default(300),
    /** Samples closer together than this are not stored (a fast loop would fill the history with seconds). */
    sampleSeconds: z.number().positive().default(15),
    /** Samples in the rise, at least. */
    minSamples: z.number().int().min(3).default(6),
    /** Kendall's τ of the rise, at least: later samples higher than earlier ones on most pairs ("monotonic-ish"). */
    minTau: z.number().min(0).max(1).default(0.6),
    /** The fitted rise, and the level's margin above the usual high, as a share of the limit: at least this. */
    minRiseFraction: z.number().positive().max(1).default(0.02),
    /** The fitted rise must also be this many times the scatter around the line, so noise cannot fake it. */
    minSignalToNoise: z.number().positive().default(4),
    /** Reported when the limit is projected to be reached this soon (then the kernel kills the pod). */
    horizonSeconds: z.number().positive().default(1800),
    /** ...and critical from this close. */
    criticalSeconds: z.number().positive().default(300),
  })
  .refine((c) => c.maxFitSeconds >= c.minGrowthSeconds, { message: 'maxFitSeconds must be at least minGrowthSeconds', path: ['maxFitSeconds'] });
export type MemoryTrendConfig = z.output<typeof MemoryTrendConfigSchema>;
export type MemoryTrendConfigInput = z.input<typeof MemoryTrendConfigSchema>;

const LEAK: FaultClass = 'memory-leak';

/**
 * Sees a memory leak before the OOM kill, from the per-pod working set (snapshot `pods.memory`), and reports it as
 * a `memory-leak` fault of the pod's service, naming the pod, so a playbook can restart it while it still serves.
 *
 * Per pod, a leak is memory that
 *   1. has risen from its lowest point of the last `maxFitSeconds` for at least `minGrowthSeconds`,
 *   2. monotonically-ish (Kendall's τ ≥ minTau) and still rising in the later half of that rise,
 *   3. by a clear amount (Theil–Sen fit: ≥ minRiseFraction of the limit and ≥ minSignalToNoise × the scatter; the
 *      level, too, is up by minRiseFraction of the limit from the low point),
 *   4. to a level above the pod's usual high (its highest sample in the `baselineSeconds` before the low point, so
 *      the climb of a garbage collector's saw-tooth, which never passes its earlier peaks, is not a leak; a pod is
 *      judged only once it has been watched for baselineSeconds + minGrowthSeconds), and
 *   5. at its Theil–Sen slope reaches the limit within `horizonSeconds`.
 * A restart drops memory back to its base: the low point moves there, the level is back under the usual high, and
 * nothing is reported until memory climbs past that high again. A pod without a memory limit is not judged (no
 * level at which it would be killed). Numbers only: the pod name is the one piece of cluster text in a finding,
 * and only if it is a Kubernetes name.
 *
 * Storage is one ring of sample times shared by all pods (they are sampled together) and one pooled array of
 * working sets, a row per pod: a 300,000-pod cluster costs no per-pod objects beyond a map entry.
 */
export class MemoryTrendAnalyzer implements Analyzer {
  readonly name = 'memory-trend';
  readonly config: MemoryTrendConfig;
  private readonly cap: number;
  /** Sample times, a ring indexed by sequence number modulo cap. */
  private readonly times: Float64Array;
  private seq = -1;
  /** pod → its row in the pool. */
  private readonly rows = new Map<string, number>();
  private readonly freeRows: number[] = [];
  /** Per row: cap working sets (NaN: no sample), aligned with `times`. */
  private pool = new Float32Array(0);
  private rowLastSeq = new Int32Array(0);
  private rowLimit = new Float64Array(0);
  private rowService: string[] = [];
  /**
   * Per row, the lowest sample of the current and of the previous epoch (epochs of `epochLen` samples, at least a
   * fit window): together a superset of the fit window, so "the level is not up by the margin from that low" rules
   * a pod out without reading its samples. Most pods, most of the time, are ruled out this way.
   */
  private rowMinCur = new Float32Array(0);
  private rowMinPrev = new Float32Array(0);
  private rowEpoch = new Int32Array(0);
  private readonly epochLen: number;
  private lastFindings: Finding[] = [];
  // Scratch for one pod's samples in time order.
  private readonly t: Float64Array;
  private readonly v: Float64Array;

  constructor(config: MemoryTrendConfigInput = {}) {
    this.config = MemoryTrendConfigSchema.parse(config);
    const c = this.config;
    // Stored samples can be as close as 0.9 × sampleSeconds; the history must still span fit window + baseline.
    this.cap = Math.ceil((c.maxFitSeconds + c.baselineSeconds) / (0.9 * c.sampleSeconds)) + 2;
    this.epochLen = Math.ceil(c.maxFitSeconds / (0.9 * c.sampleSeconds)) + 2;
    this.times = new Float64Array(this.cap);
    this.t = new Float64Array(this.cap);
    this.v = new Float64Array(this.cap);
  }

  analyze(snapshot: Snapshot, now: number): Finding[] {
    const last = this.seq >= 0 ? this.times[this.seq % this.cap] : -Infinity;
    // Between stored samples the last verdict stands (the data has not moved on).
    if (now - last < 0.9 * this.config.sampleSeconds) return this.lastFindings.map((f) => ({ ...f, evidence: { ...f.evidence } }));
    const seq = ++this.seq;
    this.times[seq % this.cap] = now;
    // A large first snapshot: room for every pod at once, rather than a copy of the pool per doubling.
    if (this.rows.size === 0) {
      let pods = 0;
      for (const s of snapshot.services) pods += s.pods.memory?.length ?? 0;
      if (pods > this.rowLastSeq.length) this.grow(pods);
    }
    const findings: Finding[] = [];
    for (const s of snapshot.services) {
      for (const m of s.pods.memory ?? []) {
        if (m.limitMiB === undefined || !Number.isFinite(m.workingSetMiB)) continue;
        const row = this.record(m.pod, s.name, m.limitMiB, m.workingSetMiB, seq);
        if (row < 0 || !this.mayHaveRisen(row, seq)) continue;
        const f = this.judge(m.pod, row, now);
        if (f) findings.push(f);
      }
    }
    if (seq % this.cap === 0) this.forget(seq);
    this.lastFindings = findings;
    return findings;
  }

  /** Stores the sample in the pod's row (a new row for a pod not seen before); −1 for a name that is not a pod's. */
  private record(pod: string, service: string, limitMiB: number, ws: number, seq: number): number {
    const cap = this.cap;
    let row = this.rows.get(pod);
    if (row === undefined || this.rowService[row] !== service) {
      if (row === undefined && !isKubernetesName(pod)) return -1;
      row ??= this.newRow(pod);
      this.pool.fill(NaN, row * cap, row * cap + cap);
      this.rowLastSeq[row] = seq - 1;
      this.rowService[row] = service;
      this.rowMinCur[row] = Infinity;
      this.rowMinPrev[row] = Infinity;
      this.rowEpoch[row] = Math.floor(seq / this.epochLen);
    }
    const base = row * cap;
    // Slots of the ticks it was missing hold older samples: blank them.
    for (let k = Math.max(this.rowLastSeq[row] + 1, seq - cap + 1); k < seq; k++) this.pool[base + (k % cap)] = NaN;
    this.pool[base + (seq % cap)] = ws;
    this.rowLastSeq[row] = seq;
    this.rowLimit[row] = limitMiB;
    const epoch = Math.floor(seq / this.epochLen);
    if (this.rowEpoch[row] !== epoch) {
      this.rowMinPrev[row] = this.rowEpoch[row] === epoch - 1 ? this.rowMinCur[row] : Infinity;
      this.rowMinCur[row] = Infinity;
      this.rowEpoch[row] = epoch;
    }
    if (ws < this.rowMinCur[row]) this.rowMinCur[row] = ws;
    return row;
  }

  /** False when the level is certainly not up by the margin from the low point (so rule 3 cannot hold). */
  private mayHaveRisen(row: number, seq: number): boolean {
    if (seq < 2) return false;
    const base = row * this.cap;
    const a = this.pool[base + ((seq - 2) % this.cap)], b = this.pool[base + ((seq - 1) % this.cap)], c = this.pool[base + (seq % this.cap)];
    // A gap among the last three: let the full judgement decide.
    if (Number.isNaN(a) || Number.isNaN(b)) return true;
    const level = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    return level - Math.min(this.rowMinCur[row], this.rowMinPrev[row]) > this.config.minRiseFraction * this.rowLimit[row];
  }

  private newRow(pod: string): number {
    let row = this.freeRows.pop();
    if (row === undefined) {
      row = this.rows.size;
      if (row >= this.rowLastSeq.length) this.grow(Math.max(64, 2 * this.rowLastSeq.length));
    }
    this.rows.set(pod, row);
    return row;
  }

  private grow(rows: number): void {
    const pool = new Float32Array(rows * this.cap);
    pool.set(this.pool);
    this.pool = pool;
    const lastSeq = new Int32Array(rows);
    lastSeq.set(this.rowLastSeq);
    this.rowLastSeq = lastSeq;
    const limit = new Float64Array(rows);
    limit.set(this.rowLimit);
    this.rowLimit = limit;
    const minCur = new Float32Array(rows);
    minCur.set(this.rowMinCur);
    this.rowMinCur = minCur;
    const minPrev = new Float32Array(rows);
    minPrev.set(this.rowMinPrev);
    this.rowMinPrev = minPrev;
    const epoch = new Int32Array(rows);
    epoch.set(this.rowEpoch);
    this.rowEpoch = epoch;
  }

  /** Pods gone for longer than the history give their rows back. */
  private forget(seq: number): void {
    for (const [pod, row] of this.rows) {
      if (this.rowLastSeq[row] > seq - this.cap) continue;
      this.rows.delete(pod);
      this.freeRows.push(row);
    }
  }

  private judge(pod: string, row: number, now: number): Finding | undefined {
    const c = this.config;
    const { t, v, cap } = this;
    const base = row * cap;
    let n = 0;
    for (let k = Math.max(0, this.seq - cap + 1); k <= this.seq; k++) {
      const x = this.pool[base + (k % cap)];
      if (Number.isNaN(x)) continue;
      // Relative times keep the fit's arithmetic exact enough.
      t[n] = this.times[k % cap] - now;
      v[n] = x;
      n++;
    }
    if (n < c.minSamples) return undefined;
    // Watched long enough to know its usual high before the rise (tolerating one sample's jitter). A pod that has
    // risen since it was first seen qualifies once the rise is longer than baseline + minimum growth: a collector's
    // saw-tooth would have dropped by then.
    if (-t[0] < c.baselineSeconds + c.minGrowthSeconds - 0.5 * c.sampleSeconds) return undefined;
    // The latest lowest point within the fit window: where the current rise began.
    let low = -1;
    for (let i = 0; i < n; i++) if (t[i] >= -c.maxFitSeconds && (low < 0 || v[i] <= v[low])) low = i;
    if (low < 0 || -t[low] < c.minGrowthSeconds || n - low < c.minSamples) return undefined;
    let usualHigh = -Infinity;
    for (let i = 0; i < low; i++) if (t[i] >= t[low] - c.baselineSeconds) usualHigh = Math.max(usualHigh, v[i]);
    const limit = this.rowLimit[row];
    const service = this.rowService[row];
    const margin = c.minRiseFraction * limit;
    const level = latestLevel(v, n);
    if (!(level > usualHigh + margin) || !(level - v[low] > margin)) return undefined;

    const line = theilSen(t, v, low, n);
    if (!(line.slope > 0) || line.tau < c.minTau) return undefined;
    const rise = line.slope * -t[low];
    if (rise < margin || rise < c.minSignalToNoise * line.scatter) return undefined;
    // Still rising now, not a step that has levelled off.
    const mid = t[low] / 2;
    let half = low;
    while (half < n && t[half] < mid) half++;
    if (n - half >= 3 && !(theilSen(t, v, half, n).slope > 0)) return undefined;

    const perMinute = line.slope * 60;
    const toLimit = Math.max(0, limit - level) / line.slope;
    if (toLimit > c.horizonSeconds) return undefined;
    const minutes = toLimit / 60;
    return {
      kind: 'fault',
      target: `service/${service}`,
      severity: toLimit <= c.criticalSeconds ? 'critical' : 'warning',
      message: `${service}: pod ${pod} memory has grown ${round(perMinute, 1)} MiB/min for ${Math.round(-t[low] / 60)} min ` +
        `(${Math.round(level)} of ${Math.round(limit)} MiB); at this rate it is OOM-killed in about ${minutes < 1 ? 'under a minute' : `${Math.round(minutes)} min`}`,
      evidence: {
        fault: LEAK,
        service,
        pod,
        workingSetMiB: round(level, 1),
        limitMiB: round(limit, 1),
        slopeMiBPerMin: round(perMinute, 2),
        secondsToLimit: Math.round(toLimit),
        growingForSeconds: Math.round(-t[low]),
        riseMiB: round(rise, 1),
        // None for a pod that has risen since it was first seen.
        ...(Number.isFinite(usualHigh) ? { usualHighMiB: round(usualHigh, 1) } : {}),
        tau: round(line.tau, 3),
      },
    };
  }
}

/** The current level: median of the last three samples, so one glitch neither raises nor hides it. */
function latestLevel(v: Float64Array, n: number): number {
  if (n < 3) return v[n - 1];
  const a = v[n - 3], b = v[n - 2], c = v[n - 1];
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

function round(x: number, digits: number): number {
  return Math.round(x * 10 ** digits) / 10 ** digits;
}
