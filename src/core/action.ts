import { z } from 'zod';

/** Everything a planner can ask a provider to do. One discriminated union, so guardrails see all of it. */
export const ActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('scale'), service: z.string(), from: z.number().int().nonnegative(), to: z.number().int().nonnegative() }),
  z.object({ kind: z.literal('add-nodes'), instanceType: z.string(), count: z.number().int().positive(), spot: z.boolean() }),
  z.object({ kind: z.literal('remove-node'), node: z.string() }),
  z.object({ kind: z.literal('restart-pod'), service: z.string(), pod: z.string().optional() }),
  z.object({ kind: z.literal('rollback'), service: z.string() }),
  z.object({ kind: z.literal('cordon-drain'), node: z.string() }),
  // One step of a progressive rollout (plan/rollout): send `weight` % of traffic to `revision`; 100 promotes it,
  // 0 aborts the canary. `change` is what the revision changes, for the deployment-risk score (govern/deployment-risk.ts).
  z.object({
    kind: z.literal('rollout'), service: z.string(), revision: z.string().min(1), weight: z.number().int().min(0).max(100),
    change: z.object({ imageChanged: z.boolean(), configKeysChanged: z.number().int().nonnegative(), replicaDelta: z.number().int() }).optional(),
  }),
]);
export type Action = z.infer<typeof ActionSchema>;
export type ActionKind = Action['kind'];
export const ACTION_KINDS: readonly ActionKind[] = ['scale', 'add-nodes', 'remove-node', 'restart-pod', 'rollback', 'cordon-drain', 'rollout'];

/** The resource an action touches, used for rate limits and "one action per resource at a time". */
export function actionTarget(a: Action): string {
  switch (a.kind) {
    case 'scale':
    case 'restart-pod':
    case 'rollback':
    case 'rollout':
      return `service/${a.service}`;
    case 'add-nodes':
      return `nodepool/${a.instanceType}`;
    case 'remove-node':
    case 'cordon-drain':
      return `node/${a.node}`;
  }
}

export function describeAction(a: Action): string {
  switch (a.kind) {
    case 'scale': return `scale ${a.service} ${a.from}→${a.to}`;
    case 'add-nodes': return `add ${a.count}× ${a.instanceType}${a.spot ? ' (spot)' : ''}`;
    case 'remove-node': return `remove node ${a.node}`;
    case 'restart-pod': return `restart ${a.pod ?? 'a pod'} of ${a.service}`;
    case 'rollback': return `roll back ${a.service}`;
    case 'cordon-drain': return `cordon and drain ${a.node}`;
    case 'rollout':
      return a.weight === 0 ? `abort the rollout of ${a.service} ${a.revision}` : a.weight === 100 ? `promote ${a.service} ${a.revision}` : `send ${a.weight}% of ${a.service} traffic to ${a.revision}`;
  }
}
