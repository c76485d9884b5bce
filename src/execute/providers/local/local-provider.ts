/**
 * The Provider for local processes: scale spawns or stops replica processes (registered with the proxy),
 * restart-pod kills one replica and starts a fresh one, rollback replaces every replica with the previous revision.
 * Node actions (add-nodes, remove-node, cordon-drain) are refused: there is one machine and no scheduler.
 */
import { describeAction, type Action } from '../../../core/action.js';
import type { Outcome } from '../../../core/proposal.js';
import type { Provider } from '../../provider.js';
import type { LocalDeployment } from './deployment.js';

export class LocalProvider implements Provider {
  readonly name = 'local';
  private readonly deployments: Map<string, LocalDeployment>;

  constructor(deployments: readonly LocalDeployment[]) {
    this.deployments = new Map(deployments.map((d) => [d.name, d]));
  }

  async apply(action: Action): Promise<Outcome> {
    if (action.kind === 'rollout') return { ok: false, message: `the local provider has no traffic split between revisions: cannot ${describeAction(action)}` };
    if (action.kind === 'add-nodes' || action.kind === 'remove-node' || action.kind === 'cordon-drain') {
      return { ok: false, message: `the local provider runs processes on this one machine and has no nodes to manage: cannot ${describeAction(action)}` };
    }
    const d = this.deployments.get(action.service);
    if (!d) return { ok: false, message: `no local deployment named ${action.service} (known: ${[...this.deployments.keys()].join(', ') || 'none'})` };
    try {
      switch (action.kind) {
        case 'scale': {
          const before = d.replicas;
          const { added, removed } = await d.scaleTo(action.to);
          return { ok: true, message: `${d.name}: ${before} → ${action.to} replicas${added.length > 0 ? `, started ${added.join(', ')}` : ''}${removed.length > 0 ? `, stopped ${removed.join(', ')}` : ''}` };
        }
        case 'restart-pod': {
          const { old, replacement } = await d.restart(action.pod);
          return { ok: true, message: `${d.name}: replaced ${old.pod} (pid ${old.pid ?? '?'}, ${old.alive ? 'running' : 'dead'}) with ${replacement}` };
        }
        case 'rollback': {
          const r = await d.rollback();
          if (!r) return { ok: false, message: `${d.name} has no previous revision to roll back to` };
          return { ok: true, message: `${d.name}: rolled back from ${r.from} to ${r.to}, every replica replaced` };
        }
      }
    } catch (e) {
      return { ok: false, message: `${describeAction(action)} failed: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
}
