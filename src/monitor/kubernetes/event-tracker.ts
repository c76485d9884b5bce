/**
 * Which Kubernetes events are new since the previous snapshot. An Event object is updated in place when it repeats
 * (count, lastTimestamp or series grow), so "new" means: an object not seen before, or one seen with a smaller
 * count. The first read only counts events of the last `initialWindowSeconds`, not the cluster's whole hour.
 */
import type { CoreV1Event } from '@kubernetes/client-node';
import type { ClusterEvent } from '../../core/snapshot.js';
import { clusterEvent, eventTime } from './snapshot-mapper.js';

export class EventTracker {
  private seen = new Map<string, number>();
  private first = true;

  constructor(private readonly initialWindowSeconds: number) {}

  fresh(events: readonly CoreV1Event[], now: number): ClusterEvent[] {
    const out: ClusterEvent[] = [];
    const next = new Map<string, number>();
    for (const e of events) {
      const key = e.metadata?.uid ?? `${e.metadata?.namespace}/${e.metadata?.name}`;
      const count = e.series?.count ?? e.count ?? 1;
      next.set(key, count);
      const before = this.seen.get(key);
      if (this.first) {
        const at = eventTime(e);
        if (at !== undefined && at < now - this.initialWindowSeconds) continue;
      } else if (before !== undefined && before >= count) continue;
      out.push(clusterEvent(e, now));
    }
    // Forget events the API server has expired (events live an hour by default).
    this.seen = next;
    this.first = false;
    return out.sort((a, b) => a.at - b.at);
  }
}
