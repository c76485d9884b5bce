import pg from 'pg';
import { parsePostgresUrl } from './postgres.js';
import { Election, type LeaderInfo } from '../core/leadership.js';

export type { Fence, LeaderInfo } from '../core/leadership.js';

/**
 * Leader election among replicas sharing a PostgreSQL knowledge store.
 *
 * Leadership is a session-level advisory lock (`pg_try_advisory_lock`) held on a connection of its own for as long
 * as the replica leads, so a leader that dies (SIGKILL, crash, lost network) releases it with its session, and a
 * follower's next poll takes over. Every new leader bumps a term in `leader_terms`; writes that must come from the
 * leader carry that term as a fencing token (knowledge/tick-ledger.ts), so a deposed leader that has not noticed
 * yet cannot commit. The leader heartbeats on its connection; a heartbeat that fails, times out or finds a newer
 * term ends leadership at once (`signal` aborts). A frozen leader stops heartbeating and the server closes its idle
 * session (idle_session_timeout), releasing the lock.
 *
 * The store must be migrated (openStore does it) before an election starts: `leader_terms` lives there.
 */

export interface LeaderElectionOptions {
  /** The store's postgres:// URL (with its ?schema=). */
  url: string;
  /** Replicas campaigning under the same name compete for one leadership. */
  name: string;
  /** This replica as the others see it; default host:pid. */
  id?: string;
  /** Followers retry the lock this often (default 1000 ms). */
  pollMs?: number;
  /** The leader proves it is alive this often (default 1000 ms). */
  heartbeatMs?: number;
  /** A heartbeat slower than this, or a session silent this long, counts as a lost connection (default 5000 ms). */
  timeoutMs?: number;
}

/** First advisory-lock key: Autonomic's namespace ('AUT\0'), below 2^31 so pg_locks shows it unchanged. */
const LOCK_NAMESPACE = 0x41555400;

/** Second key: the store's schema and the election name, FNV-1a hashed into 31 bits (advisory locks are per database, not per schema). */
function lockKey(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h & 0x7fffffff;
}

const now = (): number => Date.now() / 1000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export class LeaderElection extends Election {
  private readonly config: pg.ClientConfig;
  private readonly heartbeatMs: number;
  private readonly timeoutMs: number;
  private readonly key: number;
  private client: pg.Client | undefined;

  constructor(o: LeaderElectionOptions) {
    super({ name: o.name, id: o.id, pollMs: o.pollMs ?? 1000 });
    this.heartbeatMs = o.heartbeatMs ?? 1000;
    this.timeoutMs = o.timeoutMs ?? 5000;
    const target = parsePostgresUrl(o.url);
    this.key = lockKey(`${target.schema ?? ''}/${o.name}`);
    // Named per replica so operators (and tests) can find the session holding the lock in pg_stat_activity.
    this.config = { ...target.config, query_timeout: this.timeoutMs, application_name: `autonomic-election:${this.id}`.slice(0, 63) };
  }

  /** One campaign step: take the lock if it is free. True when this replica leads (now or already). */
  async tryAcquire(): Promise<boolean> {
    if (this.closed) return false;
    if (this.isLeader) return true;
    const client = await this.connect();
    const r = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [LOCK_NAMESPACE, this.key]);
    if (!r.rows[0]?.ok) return false;
    let term: number;
    try {
      // Waits for a deposed leader's in-flight fenced commit (it holds the row FOR SHARE), so the new term is
      // only visible once everything the old term wrote is final.
      const t = await client.query<{ term: string | number }>(
        `insert into leader_terms (name, term, holder, acquired_at, heartbeat_at) values ($1, 1, $2, $3, $3)
         on conflict (name) do update set term = leader_terms.term + 1, holder = excluded.holder,
           acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at
         returning term`,
        [this.name, this.id, now()],
      );
      term = Number(t.rows[0].term);
    } catch (e) {
      this.dropClient();
      throw e;
    }
    this.beginLeadership(term, () => this.beat(), this.heartbeatMs);
    return true;
  }

  /** The database is unreachable: stay a follower and retry on a fresh connection. */
  protected override onCampaignError(): void {
    this.dropClient();
  }

  /** The current leader as recorded in the store (its heartbeat says how fresh that is). */
  async leader(): Promise<LeaderInfo | null> {
    const client = await this.connect();
    const r = await client.query<{ name: string; term: number; holder: string; acquired_at: number; heartbeat_at: number }>(
      'select name, term, holder, acquired_at, heartbeat_at from leader_terms where name = $1',
      [this.name],
    );
    const row = r.rows[0];
    if (!row) return null;
    return { name: row.name, term: Number(row.term), holder: row.holder, acquiredAt: Number(row.acquired_at), heartbeatAt: Number(row.heartbeat_at) };
  }

  /** Stop for good: leadership (if any) is given up and the connection closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const client = this.client;
    this.lose('election closed');
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client(this.config);
    // A dead connection is lost leadership; with no listener pg's 'error' event would crash the process.
    client.on('error', (e) => this.onConnectionGone(client, `connection error: ${e.message}`));
    client.on('end', () => this.onConnectionGone(client, 'connection closed'));
    this.client = client;
    try {
      await client.connect();
      // The server ends a session silent for this long: a frozen leader's lock is released without it.
      await client.query(`select set_config('idle_session_timeout', $1, false)`, [String(this.timeoutMs)]);
    } catch (e) {
      this.dropClient();
      throw e;
    }
    return client;
  }

  private onConnectionGone(client: pg.Client, reason: string): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.lose(reason);
  }

  private async beat(): Promise<void> {
    const client = this.client;
    if (!this.isLeader || !client) return;
    const term = this.latestTerm;
    try {
      const r = await withTimeout(
        client.query('update leader_terms set heartbeat_at = $1 where name = $2 and term = $3', [now(), this.name, term]),
        this.timeoutMs,
        'heartbeat',
      );
      if (r.rowCount !== 1 && this.latestTerm === term) this.lose(`term ${term} superseded by another leader`);
    } catch (e) {
      if (this.latestTerm === term) this.lose(`heartbeat failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Leadership ends now, and the session closes so the lock is released server-side. */
  protected override lose(reason: string): boolean {
    const ended = super.lose(reason);
    if (ended) this.dropClient();
    return ended;
  }

  private dropClient(): void {
    const client = this.client;
    this.client = undefined;
    client?.end().catch(() => undefined);
  }
}
