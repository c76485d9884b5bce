import type { Snapshot } from '../../core/snapshot.js';
import { BUCKET_SECONDS } from '../../knowledge/telemetry.js';

/** The stored series of a node's pod count: how retirement knows a node has been empty for hours. */
export const nodePodsKey = (node: string): string => `node/${node}/pods`;

/** Where closed buckets go (knowledge/telemetry.ts TelemetryStore implements it). */
export interface OccupancySink {
  append(seriesKey: string, firstBucket: number, values: ArrayLike<number>): Promise<number>;
}

/**
 * Records each node's pod count per 5-minute bucket, as the most pods seen in it (one busy tick means the node was
 * not empty), the same bucketing as the request-rate recorder. A bucket is written once it has closed.
 */
export class NodeOccupancyRecorder {
  private readonly open = new Map<string, { bucket: number; max: number }>();

  constructor(private readonly sink: OccupancySink) {}

  async record(snapshot: Snapshot): Promise<void> {
    const bucket = Math.floor(snapshot.at / BUCKET_SECONDS);
    const seen = new Set<string>();
    for (const node of snapshot.nodes) {
      if (node.provisioning) continue;
      const key = nodePodsKey(node.name);
      seen.add(key);
      const cur = this.open.get(key);
      if (cur && cur.bucket !== bucket) {
        await this.sink.append(key, cur.bucket, [cur.max]);
        this.open.delete(key);
      }
      const b = this.open.get(key) ?? { bucket, max: 0 };
      b.max = Math.max(b.max, node.pods);
      this.open.set(key, b);
    }
    // A node that left the cluster: write its last bucket once it has closed, then forget it.
    for (const [key, b] of [...this.open]) {
      if (!seen.has(key) && b.bucket !== bucket) {
        await this.sink.append(key, b.bucket, [b.max]);
        this.open.delete(key);
      }
    }
  }
}
