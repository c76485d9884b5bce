/**
 * What a canary analysis reads: per-revision request, error and latency telemetry over a time window. The twin
 * implements it (execute/twin/rollout.ts); on a real cluster it is a few PromQL queries by a `revision` label
 * (Argo Rollouts' and Flagger's AnalysisTemplates ask the same questions).
 */

/** One scrape/step of one revision. */
export interface RevisionSample {
  at: number;
  revision: string;
  requests: number;
  errors: number;
  p99Ms: number;
}

/** A revision's traffic over a window: counts for a proportion test, latency samples for a rank test. */
export interface RevisionWindow {
  revision: string;
  requests: number;
  errors: number;
  /** One p99 sample per scrape in the window. */
  latencySamplesMs: number[];
}

export interface RevisionMetricsSource {
  /** Telemetry of `revision` of `service` over (since, until]. */
  revisionWindow(service: string, revision: string, since: number, until: number): RevisionWindow;
  /** The revision that serves the service when no canary runs. */
  stableRevision(service: string): string;
}
