import type { Snapshot } from '../../core/snapshot.js';
import { requestRateKey } from '../../loop/telemetry-recorder.js';
import { nodePodsKey } from './node-occupancy.js';
import type { BucketSeries } from './retirement.js';

/** Stored telemetry as retirement reads it (knowledge/telemetry.ts TelemetryStore implements it). */
export interface HistoryReader {
  history(seriesKey: string): Promise<BucketSeries | undefined>;
}

/** The stored request rates of the snapshot's services and pod counts of its nodes, ready for findRetirementCandidates. */
export async function loadRetirementHistory(
  store: HistoryReader,
  snapshot: Snapshot,
): Promise<{ requestRates: Map<string, BucketSeries>; nodePods: Map<string, BucketSeries> }> {
  const requestRates = new Map<string, BucketSeries>();
  const nodePods = new Map<string, BucketSeries>();
  for (const s of snapshot.services) {
    const h = await store.history(requestRateKey(s.name));
    if (h) requestRates.set(s.name, h);
  }
  for (const n of snapshot.nodes) {
    const h = await store.history(nodePodsKey(n.name));
    if (h) nodePods.set(n.name, h);
  }
  return { requestRates, nodePods };
}
