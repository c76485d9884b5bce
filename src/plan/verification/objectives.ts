import { z } from 'zod';
import type { Objective } from '../remediation/verification.js';

export type { Objective };

/**
 * Per-service objectives (`*` for the rest), the same shape remediation's CoordinatorConfig.objectives has, so one
 * block of configuration can feed both verifiers.
 */
export const ObjectivesSchema = z
  .record(z.string().min(1), z.strictObject({ p99Ms: z.number().positive(), errorRate: z.number().min(0).max(1) }))
  .default({ '*': { p99Ms: 200, errorRate: 0.01 } });
export type Objectives = z.output<typeof ObjectivesSchema>;

const BUILTIN: Objective = { p99Ms: 200, errorRate: 0.01 };

/** A service's own objective, else `*`'s, else the built-in 200 ms / 1 %. */
export function objectiveFor(objectives: Objectives, service: string): Objective {
  return (Object.hasOwn(objectives, service) ? objectives[service] : objectives['*']) ?? BUILTIN;
}
