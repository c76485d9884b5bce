/**
 * Leader election on a coordination.k8s.io/v1 Lease, the way client-go's leaderelection does it, sharing the
 * PostgreSQL election's surface and leadership state (core/leadership.ts): tryAcquire, waitForLeadership, leader(),
 * isLeader, term, signal, fence(), stepDown, close.
 *
 * - A candidate takes the Lease when it does not exist (create), when it holds it already, or when the holder has
 *   not renewed it for leaseDurationSeconds. Expiry is judged by this candidate's own clock from when it last saw
 *   the record change (not by comparing renewTime with a clock on another machine), so clock skew cannot make two
 *   leaders.
 * - Every write is a replace carrying the resourceVersion read: when two candidates race, the API server accepts
 *   one and answers 409 Conflict to the other.
 * - The leader renews every renewMs; a renewal that fails for longer than renewDeadlineMs, a 409, or a record held
 *   by someone else ends leadership at once (`signal` aborts).
 * - The term is leaseTransitions + 1, bumped on every change of holder: a fencing token like the PostgreSQL term.
 */
import type { V1Lease } from '@kubernetes/client-node';
import { Election, type LeaderInfo } from '../../../core/leadership.js';
import type { ClusterAccess } from './cluster-access.js';
import { apiCall, KubernetesApiError, type ObjectRef } from './api-error.js';

export interface LeaseElectionOptions {
  /** The Lease object's name: replicas campaigning under the same name compete for one leadership. */
  name: string;
  namespace: string;
  /** This replica as the others see it (holderIdentity); default host:pid (in a pod, the pod name is the host). */
  id?: string;
  leaseDurationSeconds?: number;
  /** The leader renews this often (default 2000 ms). */
  renewMs?: number;
  /** The leader gives up if it could not renew for this long (default 2/3 of the lease duration). */
  renewDeadlineMs?: number;
  /** Followers retry this often (default 2000 ms). */
  pollMs?: number;
  timeoutMs?: number;
  /** Wall clock in ms (tests move it). */
  now?: () => number;
}

/** Lease times are MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): Date {
  return new Date(ms);
}

function seconds(d: Date | string | undefined): number {
  if (d === undefined) return 0;
  const t = d instanceof Date ? d.getTime() : Date.parse(d);
  return Number.isFinite(t) ? t / 1000 : 0;
}

export class LeaseElection extends Election {
  readonly namespace: string;
  private readonly durationSeconds: number;
  private readonly renewMs: number;
  private readonly renewDeadlineMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly ref: ObjectRef;
  private lastRenewed = 0;
  /** The record as last seen (holder + renewTime) and when, by this candidate's clock. */
  private observed: { key: string; at: number } | undefined;

  constructor(private readonly api: ClusterAccess, o: LeaseElectionOptions) {
    super({ name: o.name, id: o.id, pollMs: o.pollMs ?? 2000 });
    this.namespace = o.namespace;
    this.durationSeconds = o.leaseDurationSeconds ?? 15;
    this.renewMs = o.renewMs ?? 2000;
    this.renewDeadlineMs = o.renewDeadlineMs ?? Math.round((this.durationSeconds * 1000 * 2) / 3);
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.now = o.now ?? Date.now;
    this.ref = { kind: 'Lease', namespace: this.namespace, name: this.name };
  }

  /** One campaign step. True when this replica leads (now or already). API errors propagate (the caller retries). */
  async tryAcquire(): Promise<boolean> {
    if (this.closed) return false;
    if (this.isLeader) return true;
    const now = this.now();
    const existing = await this.read();
    if (!existing) {
      try {
        const created = await apiCall('creating', this.ref, () => this.api.coordination.createNamespacedLease({
          namespace: this.namespace,
          body: {
            apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
            metadata: { name: this.name, namespace: this.namespace },
            spec: { holderIdentity: this.id, leaseDurationSeconds: this.durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
          },
        }), this.timeoutMs);
        this.lead(created, now);
        return true;
      } catch (e) {
        // Another candidate created it first.
        if (e instanceof KubernetesApiError && e.status === 409) return false;
        throw e;
      }
    }
    const spec = existing.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    this.observe(existing, now);
    const expired = holder === '' || (this.observed !== undefined && now - this.observed.at >= (spec.leaseDurationSeconds ?? this.durationSeconds) * 1000);
    if (holder !== this.id && !expired) return false;
    const transitions = (spec.leaseTransitions ?? 0) + (holder === this.id ? 0 : 1);
    const body: V1Lease = {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { ...existing.metadata, name: this.name, namespace: this.namespace, resourceVersion: existing.metadata?.resourceVersion },
      spec: {
        holderIdentity: this.id, leaseDurationSeconds: this.durationSeconds,
        acquireTime: holder === this.id && spec.acquireTime ? spec.acquireTime : microTime(now),
        renewTime: microTime(now), leaseTransitions: transitions,
      },
    };
    try {
      const replaced = await apiCall('taking over', this.ref, () => this.api.coordination.replaceNamespacedLease({ name: this.name, namespace: this.namespace, body }), this.timeoutMs);
      this.lead(replaced, now);
      return true;
    } catch (e) {
      if (e instanceof KubernetesApiError && e.status === 409) return false;
      throw e;
    }
  }

  /** The holder as the Lease records it (renewTime says how fresh that is). */
  async leader(): Promise<LeaderInfo | null> {
    const lease = await this.read();
    const spec = lease?.spec;
    if (!spec?.holderIdentity) return null;
    return {
      name: this.name, term: (spec.leaseTransitions ?? 0) + 1, holder: spec.holderIdentity,
      acquiredAt: seconds(spec.acquireTime), heartbeatAt: seconds(spec.renewTime),
    };
  }

  /** Stop for good. A leader releases the Lease (empty holder) so a follower need not wait for it to expire. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const wasLeader = this.isLeader;
    this.lose('election closed');
    if (!wasLeader) return;
    try {
      const lease = await this.read();
      if (lease?.spec?.holderIdentity !== this.id) return;
      await apiCall('releasing', this.ref, () => this.api.coordination.replaceNamespacedLease({
        name: this.name, namespace: this.namespace,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: undefined, renewTime: microTime(this.now()) } },
      }), this.timeoutMs);
    } catch {
      // Releasing is a courtesy: the Lease expires by itself.
    }
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await apiCall('reading', this.ref, () => this.api.coordination.readNamespacedLease({ name: this.name, namespace: this.namespace }), this.timeoutMs);
    } catch (e) {
      if (e instanceof KubernetesApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  private observe(lease: V1Lease, now: number): void {
    const key = `${lease.spec?.holderIdentity ?? ''}@${String(lease.spec?.renewTime ?? '')}`;
    if (this.observed?.key !== key) this.observed = { key, at: now };
  }

  private lead(lease: V1Lease, now: number): void {
    this.lastRenewed = now;
    this.observe(lease, now);
    this.beginLeadership((lease.spec?.leaseTransitions ?? 0) + 1, () => this.renew(), this.renewMs);
  }

  private renewing = false;

  private async renew(): Promise<void> {
    if (!this.isLeader || this.renewing) return;
    this.renewing = true;
    const term = this.latestTerm;
    try {
      const lease = await this.read();
      if (!lease || lease.spec?.holderIdentity !== this.id) {
        if (this.latestTerm === term) this.lose(`lease ${this.namespace}/${this.name} now held by ${lease?.spec?.holderIdentity ?? 'nobody'}`);
        return;
      }
      const now = this.now();
      const replaced = await apiCall('renewing', this.ref, () => this.api.coordination.replaceNamespacedLease({
        name: this.name, namespace: this.namespace,
        body: { ...lease, spec: { ...lease.spec, renewTime: microTime(now) } },
      }), this.timeoutMs);
      this.lastRenewed = now;
      this.observe(replaced, now);
    } catch (e) {
      if (this.latestTerm !== term) return;
      if (e instanceof KubernetesApiError && e.status === 409) this.lose('lease changed by another candidate (409 Conflict)');
      else if (this.now() - this.lastRenewed >= this.renewDeadlineMs) this.lose(`could not renew for ${this.renewDeadlineMs} ms: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.renewing = false;
    }
  }
}
