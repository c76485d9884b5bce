import { z } from 'zod';
import type { KnowledgeDb } from './migrations.js';

/**
 * The latest state each run's loop saw: one row per run, upserted every tick (loop/state-recorder.ts), so a
 * process that does not run the loop (`autonomic serve`, any HA replica) can show the live cluster. Bounded: the
 * cluster totals cover every node, the per-node and per-service lists stop at a cap and say how many they left out.
 */

/** Most nodes / services listed one by one; the totals still count all of them. */
export const MAX_LISTED_NODES = 100;
export const MAX_LISTED_SERVICES = 200;

export const SERVICE_STATUSES = ['ok', 'warning', 'violated', 'no-data'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

export const ServiceStateSchema = z.object({
  name: z.string(),
  /** Desired replicas (spec). */
  replicas: z.number().int().nonnegative(),
  readyReplicas: z.number().int().nonnegative(),
  pendingReplicas: z.number().int().nonnegative(),
  /** Offered load, req/s. */
  requestRate: z.number().nonnegative(),
  cpuUtilization: z.number().nonnegative(),
  p99Ms: z.number().nonnegative(),
  /** 0..1. */
  errorRate: z.number().min(0).max(1),
  slo: z.object({ p99Ms: z.number().positive(), errorRate: z.number().min(0).max(1) }),
  status: z.enum(SERVICE_STATUSES),
  /** Why the status is not ok, in a few words each. */
  reasons: z.array(z.string()),
});
export type ServiceState = z.infer<typeof ServiceStateSchema>;

export const NodeStateSchema = z.object({
  name: z.string(),
  instanceType: z.string(),
  ready: z.boolean(),
  provisioning: z.boolean(),
  cpuRequestedMillis: z.number().nonnegative(),
  cpuAllocatableMillis: z.number().nonnegative(),
  memoryRequestedMiB: z.number().nonnegative(),
  memoryAllocatableMiB: z.number().nonnegative(),
  pods: z.number().int().nonnegative(),
});
export type NodeState = z.infer<typeof NodeStateSchema>;

export const LoopStateSchema = z.object({
  /** Loop (possibly simulated) time of the snapshot, seconds since the epoch. */
  at: z.number(),
  /** Set when the telemetry was (partly) stale. */
  degraded: z.string().nullable(),
  cluster: z.object({
    nodes: z.object({ total: z.number().int().nonnegative(), ready: z.number().int().nonnegative(), provisioning: z.number().int().nonnegative() }),
    cpu: z.object({ requestedMillis: z.number().nonnegative(), allocatableMillis: z.number().nonnegative() }),
    memory: z.object({ requestedMiB: z.number().nonnegative(), allocatableMiB: z.number().nonnegative() }),
    /** null when the source reports no prices. */
    costPerHour: z.number().nonnegative().nullable(),
    services: z.object({ total: z.number().int().nonnegative(), ok: z.number().int().nonnegative(), warning: z.number().int().nonnegative(), violated: z.number().int().nonnegative() }),
  }),
  nodes: z.array(NodeStateSchema).max(MAX_LISTED_NODES),
  nodesOmitted: z.number().int().nonnegative(),
  services: z.array(ServiceStateSchema).max(MAX_LISTED_SERVICES),
  servicesOmitted: z.number().int().nonnegative(),
});
export type LoopState = z.infer<typeof LoopStateSchema>;

export interface StoredLoopState {
  runId: string;
  /** Wall-clock seconds of the last write. */
  updatedAt: number;
  state: LoopState;
}

export class LatestStateStore {
  constructor(private readonly db: KnowledgeDb) {}

  /** Replace the run's row (insert the first time). */
  async put(runId: string, state: LoopState, updatedAt: number): Promise<void> {
    const row = { at: state.at, updated_at: updatedAt, state: JSON.stringify(state) };
    await this.db
      .insertInto('latest_state')
      .values({ run_id: runId, ...row })
      .onConflict((oc) => oc.column('run_id').doUpdateSet(row))
      .execute();
  }

  async get(runId: string): Promise<StoredLoopState | undefined> {
    const r = await this.db.selectFrom('latest_state').selectAll().where('run_id', '=', runId).executeTakeFirst();
    return r ? fromRow(r) : undefined;
  }

  /** The most recently written state of a run still running, else of any run. */
  async newest(): Promise<StoredLoopState | undefined> {
    const live = await this.db
      .selectFrom('latest_state')
      .innerJoin('runs', 'runs.id', 'latest_state.run_id')
      .selectAll('latest_state')
      .where('runs.status', '=', 'running')
      .orderBy('latest_state.updated_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    const r = live ?? (await this.db.selectFrom('latest_state').selectAll().orderBy('updated_at', 'desc').limit(1).executeTakeFirst());
    return r ? fromRow(r) : undefined;
  }

  /** Wall-clock time of the newest write to any run's state (0 if none): a cheap change marker for event streams. */
  async lastWrite(): Promise<number> {
    const r = await this.db.selectFrom('latest_state').select((eb) => eb.fn.max('updated_at').as('t')).executeTakeFirst();
    return Number(r?.t ?? 0);
  }
}

function fromRow(r: { run_id: string; updated_at: number; state: string }): StoredLoopState {
  // Validated on the way out: a row written by an older version must not reach a client in a shape it does not expect.
  return { runId: r.run_id, updatedAt: Number(r.updated_at), state: LoopStateSchema.parse(JSON.parse(r.state)) };
}
