import type { Snapshot } from '../core/snapshot.js';
import { BUCKET_SECONDS } from '../knowledge/telemetry.js';

/** Where closed buckets go (knowledge/telemetry.ts TelemetryStore implements it). */
export interface TelemetrySink {
  append(seriesKey: string, firstBucket: number, values: ArrayLike<number>): Promise<number>;
}

/** The stored series of a service's request rate: what forecasting models are retrained on. */
export const requestRateKey = (service: string): string => `${service}/request_rate`;

/**
 * Turns the loop's snapshots into the 5-minute bucket means the forecasters and the model registry work on:
 * a bucket is written once it has closed, so history in the store is never partial (a crash loses at most the
 * open bucket).
 */
export class TelemetryRecorder {
  private readonly open = new Map<string, { bucket: number; sum: number; n: number }>();

  constructor(private readonly sink: TelemetrySink) {}

  async record(snapshot: Snapshot): Promise<void> {
    const bucket = Math.floor(snapshot.at / BUCKET_SECONDS);
    for (const svc of snapshot.services) {
      if (!Number.isFinite(svc.requestRate)) continue;
      const key = requestRateKey(svc.name);
      const cur = this.open.get(key);
      if (cur && cur.bucket !== bucket) {
        await this.sink.append(key, cur.bucket, [cur.sum / cur.n]);
        this.open.delete(key);
      }
      const b = this.open.get(key) ?? { bucket, sum: 0, n: 0 };
      b.sum += svc.requestRate;
      b.n++;
      this.open.set(key, b);
    }
  }
}
