import type { Snapshot } from '../core/snapshot.js';

/** Something an analyzer noticed: an anomaly, a classified fault, a forecast. Planners read these. */
export interface Finding {
  kind: 'anomaly' | 'fault' | 'forecast' | 'injection';
  /** The service or node it is about, as `service/<name>` or `node/<name>`. */
  target: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  evidence: Record<string, number | string | boolean>;
}

/** The Analyze stage's output: the snapshot plus what the analyzers found in it. */
export interface Assessment {
  snapshot: Snapshot;
  findings: Finding[];
}

/** An analysis step (forecaster, detector, log classifier) run once per tick. Pure apart from its own state. */
export interface Analyzer {
  readonly name: string;
  analyze(snapshot: Snapshot, now: number): Finding[];
}
