/**
 * The last lines of troubled pods' containers (not Ready, or restarted since the previous snapshot), as the log
 * analyzers want them: one LogLine per line, source "pod/container", time from the kubelet's timestamp prefix.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { LogLine } from '../../core/snapshot.js';
import type { ClusterAccess } from '../../execute/providers/kubernetes/cluster-access.js';
import { apiCall } from '../../execute/providers/kubernetes/api-error.js';
import { isPodReady } from './snapshot-mapper.js';

const restarts = (p: V1Pod): number => (p.status?.containerStatuses ?? []).reduce((s, c) => s + c.restartCount, 0);

export class LogTail {
  private lastRestarts = new Map<string, number>();

  constructor(private readonly api: ClusterAccess, private readonly tailLines: number, private readonly maxPods: number, private readonly timeoutMs: number) {}

  /** Pods worth reading now, most troubled first. */
  pick(pods: readonly V1Pod[]): V1Pod[] {
    const scored: { pod: V1Pod; score: number }[] = [];
    const next = new Map<string, number>();
    for (const p of pods) {
      if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' || p.status?.phase === 'Pending') continue;
      const key = `${p.metadata?.namespace}/${p.metadata?.name}`;
      const r = restarts(p);
      next.set(key, r);
      const restarted = r > (this.lastRestarts.get(key) ?? 0);
      if (restarted || !isPodReady(p)) scored.push({ pod: p, score: (restarted ? 2 : 0) + (isPodReady(p) ? 0 : 1) });
    }
    this.lastRestarts = next;
    return scored.sort((a, b) => b.score - a.score).slice(0, this.maxPods).map((s) => s.pod);
  }

  async read(pods: readonly V1Pod[], now: number): Promise<LogLine[]> {
    if (this.tailLines === 0 || this.maxPods === 0) return [];
    const out: LogLine[] = [];
    for (const p of this.pick(pods)) {
      const name = p.metadata?.name ?? '';
      const namespace = p.metadata?.namespace ?? 'default';
      for (const c of p.spec?.containers ?? []) {
        let text: string;
        try {
          text = await apiCall('reading the log of', { kind: 'Pod', namespace, name }, () => this.api.core.readNamespacedPodLog({ name, namespace, container: c.name, tailLines: this.tailLines, timestamps: true }), this.timeoutMs);
        } catch {
          // A container that never started has no log; the events say why.
          continue;
        }
        for (const raw of text.split('\n')) {
          if (raw.trim() === '') continue;
          const sp = raw.indexOf(' ');
          const t = sp > 0 ? Date.parse(raw.slice(0, sp)) : NaN;
          out.push({ at: Number.isFinite(t) ? t / 1000 : now, source: `${name}/${c.name}`, line: Number.isFinite(t) ? raw.slice(sp + 1) : raw });
        }
      }
    }
    return out;
  }
}
