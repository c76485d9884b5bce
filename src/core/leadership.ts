import { hostname } from 'node:os';
import { sleep } from './sleep.js';

/**
 * What every leader election shares, whatever it elects through (PostgreSQL advisory lock, Kubernetes Lease):
 * the leadership state (isLeader, term, signal, fence), the campaign loop and the keep-alive timer. A subclass
 * says how one campaign step takes leadership, who leads now, and how leadership is kept alive.
 */

/** Who leads, as the election's record says. */
export interface LeaderInfo {
  name: string;
  term: number;
  holder: string;
  /** Wall-clock seconds. */
  acquiredAt: number;
  heartbeatAt: number;
}

/** What a commit made on the leader's behalf must still match (see TickLedger.commit). */
export interface Fence {
  name: string;
  term: number;
}

export interface ElectionIdentity {
  /** Replicas campaigning under the same name compete for one leadership. */
  name: string;
  /** This replica as the others see it; default host:pid. */
  id?: string;
  /** Followers retry this often. */
  pollMs: number;
}

export abstract class Election {
  readonly id: string;
  readonly name: string;
  protected readonly pollMs: number;
  protected closed = false;
  private currentTerm = 0;
  private leadership: AbortController | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;

  constructor(o: ElectionIdentity) {
    this.name = o.name;
    this.id = o.id ?? `${hostname()}:${process.pid}`;
    this.pollMs = o.pollMs;
  }

  /** One campaign step. True when this replica leads (now or already). */
  abstract tryAcquire(): Promise<boolean>;

  /** The current leader as the election records it. */
  abstract leader(): Promise<LeaderInfo | null>;

  get isLeader(): boolean {
    return this.leadership !== undefined && !this.leadership.signal.aborted;
  }

  /** The term this replica leads in; 0 when it does not lead. */
  get term(): number {
    return this.isLeader ? this.currentTerm : 0;
  }

  /** Aborts the moment leadership ends (with the reason); already aborted when this replica does not lead. */
  get signal(): AbortSignal {
    return this.leadership?.signal ?? AbortSignal.abort('not the leader');
  }

  /** The fencing token of the current term, for writes only the leader may make. */
  fence(): Fence {
    if (!this.isLeader) throw new Error(`${this.id} does not lead ${this.name}`);
    return { name: this.name, term: this.currentTerm };
  }

  /**
   * Campaign until this replica leads (true) or `signal` aborts (false). `onFollow` hears who leads after every
   * unsuccessful attempt (null: nobody has yet, or the record could not be read).
   */
  async waitForLeadership(signal?: AbortSignal, onFollow?: (leader: LeaderInfo | null, error?: unknown) => void): Promise<boolean> {
    while (!signal?.aborted && !this.closed) {
      let error: unknown;
      try {
        if (await this.tryAcquire()) return true;
      } catch (e) {
        error = e;
        this.onCampaignError();
      }
      onFollow?.(error === undefined ? await this.leader().catch(() => null) : null, error);
      await sleep(this.pollMs, signal);
    }
    return false;
  }

  /** Step down and keep campaigning later, e.g. after a failed commit. */
  stepDown(reason: string): void {
    this.lose(reason);
  }

  /** A campaign step failed (the store is unreachable): a hook to reset what the next step should not reuse. */
  protected onCampaignError(): void {}

  /**
   * The term of the latest leadership, even once it has ended: a keep-alive compares it with the term it started
   * in, so a late answer for an old term does not end a newer one.
   */
  protected get latestTerm(): number {
    return this.currentTerm;
  }

  /** Leadership begins in `term`; `keepAlive` runs every `everyMs` until it ends. */
  protected beginLeadership(term: number, keepAlive: () => Promise<void>, everyMs: number): void {
    this.currentTerm = term;
    this.leadership = new AbortController();
    this.keepAliveTimer = setInterval(() => void keepAlive(), everyMs);
    this.keepAliveTimer.unref();
  }

  /** Leadership ends now: act on nothing more. True when it was still in force (so this call ended it). */
  protected lose(reason: string): boolean {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
    const was = this.leadership;
    this.leadership = undefined;
    if (!was || was.signal.aborted) return false;
    was.abort(reason);
    return true;
  }
}
