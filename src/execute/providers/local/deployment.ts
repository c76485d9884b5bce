/**
 * A Deployment made of local processes: the desired replica count and revision of one service, its replicas
 * (ReplicaProcess), and the kubelet's part for them — the memory limit (a replica whose working set passes it is
 * killed, an `OOMKilled` event) and the Kubernetes-style events the loop reads.
 *
 * Restart policy: a replica that exits is not restarted here. It stays as a dead pod, reported with a `BackOff`
 * event on every snapshot (what a pod whose container keeps failing shows in Kubernetes) until the loop restarts it
 * or scales it away: healing is the loop's job, and the benchmark measures it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ClusterEvent } from '../../../core/snapshot.js';
import { ReplicaProcess, type ReplicaConfig } from './replica-process.js';

/** A revision: what its replicas run. Rollback returns to the previous one. */
export type RevisionConfig = Omit<ReplicaConfig, 'namespace' | 'service'>;

export interface DeploymentSpec {
  namespace: string;
  service: string;
  replicas: number;
  revision: RevisionConfig;
  cpuRequestCores: number;
  memoryRequestMiB: number;
  /** The working set at which a replica is killed (the container's memory limit). */
  memoryLimitMiB: number;
}

export interface PodView {
  pod: string;
  pid: number | undefined;
  alive: boolean;
  version: string;
  startedAt: number;
  url: string | undefined;
}

/** Where replicas are registered for traffic (the proxy). */
export interface Endpoints {
  add(pod: string, url: string): void;
  remove(pod: string): void;
}

export class LocalDeployment {
  readonly name: string;
  private desired: number;
  private readonly revisions: RevisionConfig[];
  private readonly pods = new Map<string, ReplicaProcess>();
  private readonly events: ClusterEvent[] = [];
  private memoryTimer: NodeJS.Timeout | undefined;
  /** Serialises changes: an action waits for the previous one, so two never interleave their spawns and stops. */
  private busy: Promise<unknown> = Promise.resolve();

  constructor(readonly spec: DeploymentSpec, private readonly endpoints: Endpoints) {
    this.name = spec.service;
    this.desired = spec.replicas;
    this.revisions = [spec.revision];
  }

  get replicas(): number {
    return this.desired;
  }

  get revision(): RevisionConfig {
    return this.revisions[this.revisions.length - 1];
  }

  get revisionCount(): number {
    return this.revisions.length;
  }

  /** The pod-template hash of the current revision, as Kubernetes puts it into pod names. */
  get templateHash(): string {
    return createHash('sha256').update(JSON.stringify(this.revision)).digest('hex').slice(0, 8);
  }

  list(): PodView[] {
    return [...this.pods.values()].map((r) => ({ pod: r.pod, pid: r.pid, alive: r.alive, version: r.config.version, startedAt: r.startedAt, url: r.port > 0 ? r.url : undefined }));
  }

  /** Starts the desired replicas and the memory-limit watch. */
  async start(): Promise<void> {
    this.memoryTimer = setInterval(() => this.enforceMemoryLimit(), 250);
    this.memoryTimer.unref();
    await this.exclusive(() => this.reconcile());
  }

  scaleTo(n: number): Promise<{ added: string[]; removed: string[] }> {
    return this.exclusive(async () => {
      this.desired = n;
      return this.reconcile();
    });
  }

  /** Kills one replica (the named one, else a dead one, else the oldest) and starts a fresh one in its place. */
  restart(pod?: string): Promise<{ old: PodView; replacement: string }> {
    return this.exclusive(async () => {
      const all = [...this.pods.values()];
      const victim = pod !== undefined ? this.pods.get(pod) : (all.find((r) => !r.alive) ?? all.sort((a, b) => a.startedAt - b.startedAt)[0]);
      if (!victim) throw new Error(pod !== undefined ? `no pod ${pod} in ${this.name}` : `${this.name} has no pods`);
      const old = this.list().find((p) => p.pod === victim.pod) as PodView;
      await this.remove(victim);
      const replacement = await this.spawn();
      return { old, replacement };
    });
  }

  /** A new revision (a release): every replica is replaced, one new one up before each old one goes. */
  rollout(revision: RevisionConfig): Promise<void> {
    return this.exclusive(async () => {
      this.revisions.push(revision);
      await this.replaceAll();
    });
  }

  /** Back to the previous revision; false when there is none. */
  rollback(): Promise<{ from: string; to: string } | undefined> {
    return this.exclusive(async () => {
      if (this.revisions.length < 2) return undefined;
      const from = this.revisions.pop() as RevisionConfig;
      await this.replaceAll();
      return { from: from.version, to: this.revision.version };
    });
  }

  /** Events since the last call, plus a BackOff for every pod whose process is dead. */
  drainEvents(now: number): ClusterEvent[] {
    const out = this.events.splice(0);
    for (const r of this.pods.values()) {
      if (r.alive) continue;
      out.push({ at: now, type: 'Warning', reason: 'BackOff', object: `pod/${r.pod}`, message: `Back-off: container ${this.name} exited (${r.exit?.code ?? r.exit?.signal}) and is not restarted` });
    }
    return out;
  }

  async stop(): Promise<void> {
    if (this.memoryTimer) clearInterval(this.memoryTimer);
    this.desired = 0;
    await this.exclusive(() => Promise.all([...this.pods.values()].map((r) => this.remove(r))));
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.then(fn, fn);
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async reconcile(): Promise<{ added: string[]; removed: string[] }> {
    const removed: string[] = [];
    // Dead pods go first, then the newest: the oldest replicas are warm.
    const order = [...this.pods.values()].sort((a, b) => Number(a.alive) - Number(b.alive) || b.startedAt - a.startedAt);
    while (this.pods.size > this.desired) {
      const r = order.shift() as ReplicaProcess;
      removed.push(r.pod);
      await this.remove(r);
    }
    const missing = Math.max(0, this.desired - this.pods.size);
    const added = await Promise.all(Array.from({ length: missing }, () => this.spawn()));
    return { added, removed };
  }

  private async replaceAll(): Promise<void> {
    for (const r of [...this.pods.values()]) {
      await this.spawn();
      await this.remove(r);
    }
  }

  private async spawn(): Promise<string> {
    const pod = `${this.name}-${this.templateHash}-${randomBytes(4).toString('hex').slice(0, 5)}`;
    const r = new ReplicaProcess(pod, { namespace: this.spec.namespace, service: this.name, ...this.revision }, () => undefined);
    this.pods.set(pod, r);
    try {
      await r.start();
    } catch (e) {
      // It never came up: it stays as a dead pod (a bad release crash-loops), visible through BackOff.
      this.events.push({ at: Date.now() / 1000, type: 'Warning', reason: 'Failed', object: `pod/${pod}`, message: 'replica did not start' });
      return pod;
    }
    this.endpoints.add(pod, r.url);
    this.events.push({ at: Date.now() / 1000, type: 'Normal', reason: 'Started', object: `pod/${pod}`, message: `Started container ${this.name}` });
    return pod;
  }

  private async remove(r: ReplicaProcess): Promise<void> {
    this.endpoints.remove(r.pod);
    this.pods.delete(r.pod);
    await r.stop();
    this.events.push({ at: Date.now() / 1000, type: 'Normal', reason: 'Killing', object: `pod/${r.pod}`, message: `Stopping container ${this.name}` });
  }

  private enforceMemoryLimit(): void {
    const limit = this.spec.memoryLimitMiB * 1024 * 1024;
    for (const r of this.pods.values()) {
      const rss = r.rssBytes();
      if (rss === undefined || rss <= limit) continue;
      this.events.push({ at: Date.now() / 1000, type: 'Warning', reason: 'OOMKilled', object: `pod/${r.pod}`, message: `container ${this.name} passed its memory limit` });
      // Not `stop()`: an OOM kill is the container dying, not us removing it; the pod stays, dead.
      process.kill(r.pid as number, 'SIGKILL');
    }
  }
}
