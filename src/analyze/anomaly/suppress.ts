/**
 * Alert suppression (a refractory period). NAB rewards only the first detection in a window and
 * charges every detection outside one, and NAB's own detectors damp repeats the same way (CAD-OSE's
 * rest period, ARTime's masking, HTM likelihood's red-zone filter). Kept threshold-free so that NAB's
 * threshold search still sees an ordering: a row keeps its score only when its evidence beats every
 * raw score of the previous `rows` rows (a new local record) and, within `rows` of the last alert,
 * also beats that alert by `margin` (in -log10 p units: margin 0.7 = five times less probable).
 * Without the margin a slowly rising score would be a new record on every row and alarm on each.
 */
import { scoreToLog10, type Detector, type DetectorResult, type Sample } from './detector.js';

export interface SuppressOptions {
  /** Refractory length in rows. */
  rows: number;
  /** How much stronger (log10 units) than the last alert a new alert within `rows` must be. */
  margin?: number;
  /** Factor applied to suppressed scores (0 silences them). */
  damp?: number;
  /** Maps a score to additive evidence; default: the shared log scale (-log10 p). */
  evidence?: (score: number) => number;
}

export class AlertSuppressor implements Detector {
  readonly name: string;
  private readonly rows: number;
  private readonly margin: number;
  private readonly damp: number;
  private readonly evidence: (score: number) => number;
  /** Monotone deque of (row, evidence): its head is the largest evidence of the last `rows` rows. */
  private readonly maxQ: Array<{ i: number; v: number }> = [];
  private qHead = 0;
  private i = 0;
  private lastAlert = -Infinity;
  private lastEvidence = 0;

  constructor(
    private readonly inner: Detector,
    opts: SuppressOptions,
  ) {
    this.name = inner.name;
    this.rows = Math.max(1, Math.round(opts.rows));
    this.margin = opts.margin ?? 0;
    this.damp = opts.damp ?? 0;
    this.evidence = opts.evidence ?? scoreToLog10;
  }

  update(sample: Sample): DetectorResult {
    return this.filter(this.inner.update(sample));
  }

  /** Applies suppression to a result computed elsewhere (same state as update()). */
  filter(r: DetectorResult): DetectorResult {
    const e = this.evidence(r.score);
    while (this.qHead < this.maxQ.length && this.maxQ[this.qHead].i < this.i - this.rows) this.qHead++;
    let bar = this.qHead < this.maxQ.length ? this.maxQ[this.qHead].v : -Infinity;
    if (this.i - this.lastAlert <= this.rows) bar = Math.max(bar, this.lastEvidence + this.margin);
    while (this.maxQ.length > this.qHead && this.maxQ[this.maxQ.length - 1].v <= e) this.maxQ.pop();
    this.maxQ.push({ i: this.i, v: e });
    if (this.qHead > 1024) {
      this.maxQ.splice(0, this.qHead);
      this.qHead = 0;
    }
    const row = this.i++;
    if (r.score > 0 && e > bar) {
      this.lastAlert = row;
      this.lastEvidence = e;
      return r;
    }
    if (r.score === 0) return r;
    return { ...r, score: r.score * this.damp, explanation: `${r.explanation} (suppressed: not a new alert within ${this.rows} rows)` };
  }
}
