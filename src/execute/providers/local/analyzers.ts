/**
 * The analyzers for the local stack, at its pace: the event classifier (the deployments' BackOff and OOMKilled
 * events) and the memory trend, retuned from minutes to seconds. Replicas here live for seconds to minutes and the
 * loop ticks every couple of seconds over a 1 s scrape, so a leak must be seen within seconds to be healed before
 * the memory limit kills the replica.
 */
import type { Analyzer } from '../../../analyze/assessment.js';
import { EventClassifier } from '../../../analyze/faults/event-classifier.js';
import { MemoryTrendAnalyzer, type MemoryTrendConfigInput } from '../../../analyze/faults/memory-trend.js';

export const LOCAL_MEMORY_TREND: MemoryTrendConfigInput = {
  sampleSeconds: 1,
  minGrowthSeconds: 6,
  maxFitSeconds: 60,
  baselineSeconds: 8,
  minSamples: 4,
  // 10 MiB of a 256 MiB limit: above a Node replica's garbage-collector swing at this load.
  minRiseFraction: 0.04,
  horizonSeconds: 600,
  criticalSeconds: 60,
};

export function localAnalyzers(): Analyzer[] {
  return [new EventClassifier(), new MemoryTrendAnalyzer(LOCAL_MEMORY_TREND)];
}
