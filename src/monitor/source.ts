import type { Snapshot } from '../core/snapshot.js';

/** Anything that can tell the loop what the world looks like now: the twin, Prometheus, Kubernetes, a trace. */
export interface TelemetrySource {
  readonly name: string;
  snapshot(): Promise<Snapshot>;
}
