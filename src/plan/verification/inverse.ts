import { describeAction, type Action } from '../../core/action.js';
import type { Snapshot } from '../../core/snapshot.js';

/** What undoes an action: the actions to propose (through the guardrails), or why nothing can. */
export type Inverse = { ok: true; actions: Action[]; describe: string } | { ok: false; why: string };

/**
 * Replicas to return to after a scale from→to, when the service now has `current`: only the change this action
 * made is given back, not what other planners did since (remediation's undo follows the same rule).
 */
export function revertedReplicas(current: number, from: number, to: number): number {
  return Math.max(0, current - (to - from));
}

/**
 * The inverse of an executed action, from the snapshots before (`before`) and after (`now`) it. Pure.
 * The Action vocabulary has no uncordon and no roll-forward, so: a drain is compensated by a node of the same type;
 * a restart and a rollback cannot be undone (said so in the journal, never guessed).
 */
export function inverseOf(action: Action, before: Snapshot, now: Snapshot): Inverse {
  switch (action.kind) {
    case 'scale': {
      const svc = now.services.find((s) => s.name === action.service);
      if (!svc) return { ok: false, why: `${action.service} is no longer in the snapshot` };
      const to = revertedReplicas(svc.replicas, action.from, action.to);
      if (to === svc.replicas) return { ok: false, why: `${action.service} is already back at ${to} replicas` };
      return { ok: true, actions: [{ kind: 'scale', service: action.service, from: svc.replicas, to }], describe: `scale ${action.service} back to ${to}` };
    }
    case 'add-nodes': {
      const had = new Set(before.nodes.map((n) => n.name));
      const added = now.nodes.filter((n) => !had.has(n.name) && n.instanceType === action.instanceType && n.spot === action.spot).slice(-action.count);
      if (added.length === 0) return { ok: false, why: `none of the ${action.count} added ${action.instanceType} nodes is in the snapshot` };
      return { ok: true, actions: added.map((n) => ({ kind: 'remove-node', node: n.name })), describe: `remove ${added.map((n) => n.name).join(', ')}` };
    }
    case 'remove-node':
    case 'cordon-drain': {
      const node = before.nodes.find((n) => n.name === action.node);
      if (!node) return { ok: false, why: `${action.node} was not in the snapshot before the action, so its type is unknown` };
      const why = action.kind === 'cordon-drain' ? ' (there is no uncordon action: the capacity is replaced instead)' : '';
      return { ok: true, actions: [{ kind: 'add-nodes', instanceType: node.instanceType, count: 1, spot: node.spot }], describe: `add a ${node.instanceType}${node.spot ? ' spot' : ''} node back${why}` };
    }
    case 'rollout':
      if (action.weight === 0) return { ok: false, why: 'an aborted canary is not rolled out again automatically' };
      if (action.weight === 100) return { ok: true, actions: [{ kind: 'rollback', service: action.service }], describe: `roll ${action.service} back from ${action.revision}` };
      return { ok: true, actions: [{ kind: 'rollout', service: action.service, revision: action.revision, weight: 0 }], describe: `abort the canary ${action.revision}` };
    case 'restart-pod':
    case 'rollback':
      return { ok: false, why: `no action kind undoes "${describeAction(action)}"` };
  }
}
