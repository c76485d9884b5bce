import { z } from 'zod';
import { ObjectivesSchema } from './objectives.js';
import { parseYamlConfig } from '../../core/yaml-config.js';

/** How every executed action is verified (policy-configurable; defaults suit a 15 s loop). */
export const VerificationConfigSchema = z.strictObject({
  /** Judged on snapshots after this many seconds (new pods start, drained pods reschedule). */
  settleSeconds: z.number().nonnegative().default(30),
  /** ... over a window this long: 60 s is four 15 s ticks. */
  windowSeconds: z.number().positive().default(60),
  /** Fewer snapshots than this in the window: wait (up to another window), then call it inconclusive. */
  minSamples: z.number().int().positive().default(3),
  /** Pre-action baseline: the mean of the snapshots in this many seconds up to the action. */
  baselineSeconds: z.number().positive().default(60),
  tolerance: z
    .strictObject({
      /** p99 must rise by more than this share of the baseline to count as worse (or fall by it to count as better). */
      p99: z.number().nonnegative().default(0.2),
      /** Error rate: absolute change, share of requests. */
      errorRate: z.number().nonnegative().default(0.002),
      /** Demand per capacity: absolute change. */
      demand: z.number().nonnegative().default(0.1),
    })
    .prefault({}),
  /** Demand per capacity at which a service counts as saturated (M/M/c latency climbs steeply beyond ~0.85). */
  saturationAt: z.number().positive().default(0.85),
  /**
   * A request-rate change beyond this share of the baseline is a load change that may explain a worsening. Small,
   * because it only excuses a service the load alone would saturate, where M/M/c is so steep that a few per cent
   * more load moves p99 and drops more than any tolerance (at 0.15 a +9 % burst was blamed on a scale-out).
   */
  loadTolerance: z.number().nonnegative().default(0.05),
  objectives: ObjectivesSchema,
  /**
   * Proposal sources (prefixes) whose actions are verified and journaled but not undone here: remediation verifies
   * and undoes its own against its playbooks, a rollout analyses and aborts its own canary, the cluster autoscaler
   * removes a node it added once it is underused (and a new node only helps minutes later, after provisioning and
   * scheduling: a window tuned to scale actions judges the time before it existed).
   */
  observeOnlySources: z.array(z.string()).default(['remediation', 'rollout', 'cluster-autoscaler']),
  /** An undone scale-in holds its replicas as a floor this long, so the planner that scaled in does not at once again. */
  holdSeconds: z.number().nonnegative().default(600),
  /** Most undo proposals per verdict (a clamped scale-back needs more than one). */
  maxUndoSteps: z.number().int().positive().default(5),
});
export type VerificationConfig = z.output<typeof VerificationConfigSchema>;
export type VerificationConfigInput = z.input<typeof VerificationConfigSchema>;

/** A verification block from YAML (its own file, or a policy file's section): errors name the file, line and field. */
export function parseVerificationConfig(text: string, fileName: string): VerificationConfig {
  return parseYamlConfig(text, fileName, VerificationConfigSchema);
}
