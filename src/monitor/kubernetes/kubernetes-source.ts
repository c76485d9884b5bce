/**
 * The Kubernetes TelemetrySource: each snapshot() reads the cluster through the API (cluster-state.ts), keeps the
 * events new since the previous snapshot and the log tails of troubled pods, and maps it all to a Snapshot
 * (snapshot-mapper.ts). The same read gives the intent pipeline its Inventory.
 */
import type { Snapshot } from '../../core/snapshot.js';
import type { Inventory } from '../../plan/intent/inventory.js';
import type { ClusterAccess } from '../../execute/providers/kubernetes/cluster-access.js';
import type { TelemetrySource } from '../source.js';
import { readClusterState, type ClusterState } from './cluster-state.js';
import { EventTracker } from './event-tracker.js';
import { inventoryFromClusterState } from './kubernetes-inventory.js';
import { LogTail } from './log-tail.js';
import { mapSnapshot } from './snapshot-mapper.js';
import { parseKubernetesSourceConfig, type KubernetesSourceConfig, type KubernetesSourceConfigInput } from './source-config.js';

export class KubernetesSource implements TelemetrySource {
  readonly name = 'kubernetes';
  readonly config: KubernetesSourceConfig;
  private readonly events: EventTracker;
  private readonly logs: LogTail;
  private last: ClusterState | undefined;
  /** Deployments the last snapshot had to leave out, and why. */
  skipped: string[] = [];

  constructor(private readonly api: ClusterAccess, config: KubernetesSourceConfigInput = {}, private readonly now: () => number = Date.now) {
    this.config = parseKubernetesSourceConfig(config);
    this.events = new EventTracker(this.config.initialEventWindowSeconds);
    this.logs = new LogTail(api, this.config.logTailLines, this.config.logMaxPods, this.config.requestTimeoutMs);
  }

  async snapshot(): Promise<Snapshot> {
    const state = await readClusterState(this.api, this.config.namespaces, this.config.requestTimeoutMs, this.now);
    this.last = state;
    const events = this.events.fresh(state.events, state.at);
    const watched = new Set(this.config.namespaces);
    const logs = await this.logs.read(state.pods.filter((p) => watched.has(p.metadata?.namespace ?? '')), state.at);
    const { snapshot, skipped } = mapSnapshot(state, this.config, events, logs);
    this.skipped = skipped;
    return snapshot;
  }

  /** The inventory of the last snapshot's read, or a fresh read if there was none. */
  async inventory(): Promise<Inventory> {
    const state = this.last ?? await readClusterState(this.api, this.config.namespaces, this.config.requestTimeoutMs, this.now);
    this.last = state;
    return inventoryFromClusterState(state);
  }
}
