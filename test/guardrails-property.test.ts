import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Action, ActionKind } from '../src/core/action.js';
import { actionTarget } from '../src/core/action.js';
import type { NodeTelemetry, ServiceTelemetry, Snapshot } from '../src/core/snapshot.js';
import { Guardrails } from '../src/govern/guardrails.js';
import { GuardrailPolicySchema } from '../src/govern/policy.js';
import type { GuardrailPolicy } from '../src/govern/policy.js';

/**
 * Random policies, snapshots and proposal sequences. Every action the guardrails let through is
 * "executed" into an independent model of the cluster, and the model is checked against every
 * bound of the policy. Liveness checks make sure a guardrail that simply denies everything fails.
 */

const TYPES = ['a', 'b', 'c', 'd'] as const; // 'd' never runs in the snapshot: its price may be unknown
const SERVICES = ['s0', 's1', 's2', 's3', 'ghost'] as const; // 'ghost' is never in the snapshot
const KINDS: readonly ActionKind[] = ['scale', 'add-nodes', 'remove-node', 'restart-pod', 'rollback', 'cordon-drain'];

const sorted2 = (max: number) => fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max })).map(([x, y]) => [Math.min(x, y), Math.max(x, y)] as const);

const policyArb = fc
  .record({
    star: sorted2(120),
    own: fc.option(sorted2(120), { nil: undefined }),
    nodes: sorted2(40),
    maxCost: fc.option(fc.double({ min: 0.5, max: 80, noNaN: true }), { nil: undefined }),
    types: fc.subarray([...TYPES]),
    allowSpot: fc.boolean(),
    rate: fc.integer({ min: 1, max: 4 }),
    window: fc.integer({ min: 10, max: 120 }),
    share: fc.double({ min: 0.05, max: 1.5, noNaN: true }),
    minAbs: fc.integer({ min: 1, max: 6 }),
    tiers: fc.tuple(...KINDS.map(() => fc.constantFrom('low' as const, 'high' as const))),
  })
  .map((r): GuardrailPolicy =>
    GuardrailPolicySchema.parse({
      services: { '*': { minReplicas: r.star[0], maxReplicas: r.star[1] }, ...(r.own ? { s1: { minReplicas: r.own[0], maxReplicas: r.own[1] } } : {}) },
      cluster: { minNodes: r.nodes[0], maxNodes: Math.max(1, r.nodes[1]), maxCostPerHour: r.maxCost, allowedInstanceTypes: r.types, allowSpot: r.allowSpot },
      rateLimits: { maxActionsPerWindow: r.rate, windowSeconds: r.window },
      blastRadius: { maxReplicaChangeShare: r.share, minAbsoluteChange: r.minAbs },
      riskTiers: Object.fromEntries(KINDS.map((k, i) => [k, r.tiers[i]])),
    }),
  );

/** One price per (type, spot), shared by the snapshot's nodes and the optional price lookup. */
const pricesArb = fc.array(fc.double({ min: 0, max: 6, noNaN: true }), { minLength: 8, maxLength: 8 });
const priceIndex = (type: string, spot: boolean): number => TYPES.indexOf(type as (typeof TYPES)[number]) * 2 + (spot ? 1 : 0);

const worldArb = fc.record({
  replicas: fc.array(fc.integer({ min: 0, max: 150 }), { minLength: 4, maxLength: 4 }),
  nodes: fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.boolean()), { maxLength: 40 }),
  prices: pricesArb,
  extraCost: fc.double({ min: 0, max: 60, noNaN: true }),
  withLookup: fc.boolean(),
});

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('scale' as const), service: fc.constantFrom(...SERVICES), from: fc.integer({ min: 0, max: 200 }), to: fc.integer({ min: 0, max: 200 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('add-nodes' as const), instanceType: fc.constantFrom(...TYPES), count: fc.integer({ min: 1, max: 25 }), spot: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove-node' as const), node: fc.integer({ min: 0, max: 44 }).map((i) => `n${i}`) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cordon-drain' as const), node: fc.integer({ min: 0, max: 44 }).map((i) => `n${i}`) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart-pod' as const), service: fc.constantFrom(...SERVICES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rollback' as const), service: fc.constantFrom(...SERVICES) }) },
);

const stepsArb = fc.array(fc.record({ action: actionArb, dt: fc.integer({ min: 0, max: 40 }), approve: fc.boolean() }), { minLength: 1, maxLength: 30 });

function service(name: string, replicas: number): ServiceTelemetry {
  return {
    name, replicas, readyReplicas: replicas, pendingReplicas: 0, cpuRequestMillis: 500, memoryRequestMiB: 512,
    serviceRatePerReplica: 50, pods: { ready: replicas, unready: 0, missing: 0, cpuUsageMillis: 0 },
    cpuUtilization: 0.5, memoryUtilization: 0.5, requestRate: 0, servedRate: 0, errorRate: 0, latencyP50Ms: 1, latencyP99Ms: 1, queueDepth: 0,
  };
}

function node(i: number, instanceType: string, spot: boolean, price: number): NodeTelemetry {
  return {
    name: `n${i}`, instanceType, spot, ready: true, provisioning: false, cpuAllocatableMillis: 2000, memoryAllocatableMiB: 8192,
    cpuRequestedMillis: 0, memoryRequestedMiB: 0, pods: 0, pricePerHour: price, readyForSeconds: 100,
  };
}

test('guardrails never let through an action that breaks the policy (property)', () => {
  fc.assert(
    fc.property(policyArb, worldArb, stepsArb, (policy, world, steps) => {
      const price = (type: string, spot: boolean): number => world.prices[priceIndex(type, spot)];
      const nodes = world.nodes.map(([t, spot], i) => node(i, t, spot, price(t, spot)));
      const snap: Snapshot = {
        at: 0, events: [], logs: [], nodes,
        services: world.replicas.map((r, i) => service(`s${i}`, r)),
        costPerHour: nodes.reduce((s, n) => s + n.pricePerHour, 0) + world.extraCost,
      };
      const g = new Guardrails(policy, world.withLookup ? { priceOf: price } : {});
      const { cluster, rateLimits, blastRadius } = policy;

      // The model: the world as the executed actions left it.
      const replicas = new Map(snap.services.map((s) => [s.name, s.replicas]));
      const nodeNames = new Set(nodes.map((n) => n.name));
      const takenOut = new Set<string>();
      let added = 0;
      let cost = snap.costPerHour;
      const executed = new Map<string, number[]>();

      const bounds = (name: string) => {
        const own = name === 's1' ? policy.services.s1 : undefined;
        const star = policy.services['*'];
        return { min: own?.minReplicas ?? star.minReplicas ?? 1, max: own?.maxReplicas ?? star.maxReplicas ?? 100 };
      };
      const knownPrice = (type: string, spot: boolean): number | undefined =>
        world.withLookup || nodes.some((n) => n.instanceType === type && n.spot === spot) ? price(type, spot) : undefined;
      const recent = (target: string, now: number): number => (executed.get(target) ?? []).filter((t) => t > now - rateLimits.windowSeconds).length;

      /** Every bound, checked against the model before the action runs. */
      const assertWithinPolicy = (a: Action, now: number): void => {
        assert.ok(recent(actionTarget(a), now) < rateLimits.maxActionsPerWindow, 'rate limit');
        switch (a.kind) {
          case 'scale': {
            const current = replicas.get(a.service);
            assert.ok(current !== undefined, 'unknown service');
            const { min, max } = bounds(a.service);
            assert.equal(a.from, current, 'from is the current count');
            assert.notEqual(a.to, current, 'a scale changes something');
            const step = Math.max(blastRadius.minAbsoluteChange, Math.floor(current * blastRadius.maxReplicaChangeShare));
            assert.ok(Math.abs(a.to - current) <= step, `blast radius: ${current}→${a.to}, step ${step}`);
            const outside = (x: number): number => (x < min ? min - x : x > max ? x - max : 0);
            if (outside(current) === 0) assert.ok(a.to >= min && a.to <= max, `replicas ${a.to} outside ${min}–${max}`);
            else assert.ok(outside(a.to) < outside(current), `out-of-bounds ${current}→${a.to} does not move toward ${min}–${max}`);
            break;
          }
          case 'add-nodes': {
            if (cluster.allowedInstanceTypes.length > 0) assert.ok(cluster.allowedInstanceTypes.includes(a.instanceType), 'instance type');
            if (a.spot) assert.ok(cluster.allowSpot, 'spot');
            assert.ok(nodes.length + added + a.count <= cluster.maxNodes, 'max nodes');
            if (cluster.maxCostPerHour !== undefined) {
              const p = knownPrice(a.instanceType, a.spot);
              assert.ok(p !== undefined, 'cost cap needs a known price');
              assert.ok(cost + a.count * p <= cluster.maxCostPerHour + 1e-9, `cost ${cost} + ${a.count}×${p} > ${cluster.maxCostPerHour}`);
            }
            break;
          }
          case 'remove-node':
          case 'cordon-drain': {
            assert.ok(nodeNames.has(a.node), 'unknown node');
            const left = nodes.length - takenOut.size - (takenOut.has(a.node) ? 0 : 1);
            assert.ok(left >= cluster.minNodes, 'min nodes');
            break;
          }
          case 'restart-pod':
          case 'rollback':
            assert.ok(replicas.has(a.service), 'unknown service');
            break;
        }
      };

      const execute = (a: Action, now: number): void => {
        assertWithinPolicy(a, now);
        g.recordExecuted(a, now);
        const target = actionTarget(a);
        executed.set(target, [...(executed.get(target) ?? []), now]);
        if (a.kind === 'scale') replicas.set(a.service, a.to);
        if (a.kind === 'add-nodes') {
          added += a.count;
          cost += a.count * (knownPrice(a.instanceType, a.spot) ?? 0);
        }
        if (a.kind === 'remove-node' || a.kind === 'cordon-drain') takenOut.add(a.node);
      };

      let now = 0;
      for (const step of steps) {
        now += step.dt;
        const proposed = step.action;
        const v = g.check({ action: proposed, source: 'prop', rationale: '', evidence: {}, expectedEffect: '' }, snap, now);
        assert.ok(v.outcome === 'deny' || v.reasons.length > 0 || v.outcome === 'allow', 'non-allow verdicts explain themselves');
        if (v.outcome === 'deny') {
          assert.deepEqual(v.action, proposed);
          assert.ok(v.reasons.length > 0);
          assertNotOverDenied(proposed, now);
          continue;
        }
        assert.equal(v.action.kind, proposed.kind);
        assert.equal(actionTarget(v.action), actionTarget(proposed));
        const high = policy.riskTiers[proposed.kind] === 'high';
        assert.equal(v.outcome === 'needs-approval', high, `tier ${policy.riskTiers[proposed.kind]} gave ${v.outcome}`);
        if (v.outcome === 'allow') assert.deepEqual(v.action, proposed);
        if (v.outcome === 'clamp') assert.notDeepEqual(v.action, proposed);
        if (v.outcome === 'needs-approval') {
          assertWithinPolicy(v.action, now);
          if (!step.approve) continue;
          // A human approved it: the loop rechecks the bounds (not the tier) before running it.
          const again = g.recheckApproved(v.action, snap, now);
          assert.notEqual(again.outcome, 'needs-approval');
          if (again.outcome !== 'deny') execute(again.action, now);
          continue;
        }
        execute(v.action, now);
      }

      /** Liveness: a proposal the model says has a legal version must not be denied. */
      function assertNotOverDenied(a: Action, now: number): void {
        if (recent(actionTarget(a), now) >= rateLimits.maxActionsPerWindow) return;
        if (a.kind === 'add-nodes') {
          if (cluster.allowedInstanceTypes.length > 0 && !cluster.allowedInstanceTypes.includes(a.instanceType)) return;
          if (a.spot && !cluster.allowSpot) return;
          if (nodes.length + added + 1 > cluster.maxNodes) return;
          if (cluster.maxCostPerHour !== undefined) {
            const p = knownPrice(a.instanceType, a.spot);
            if (p === undefined || cost + p > cluster.maxCostPerHour) return;
          }
          assert.fail(`add-nodes ${a.instanceType} denied though one node fits`);
        }
        if (a.kind === 'scale') {
          const current = replicas.get(a.service);
          if (current === undefined || a.to === current) return;
          const { min, max } = bounds(a.service);
          const step = Math.max(blastRadius.minAbsoluteChange, Math.floor(current * blastRadius.maxReplicaChangeShare));
          const next = a.to > current ? current + 1 : current - 1;
          const outside = (x: number): number => (x < min ? min - x : x > max ? x - max : 0);
          // One replica in the proposed direction is legal if it stays in bounds or gets closer to them.
          const legal = step >= 1 && (outside(current) === 0 ? next >= min && next <= max : outside(next) < outside(current));
          assert.ok(!legal, `scale ${a.service} ${current}→${a.to} denied though ${current}→${next} is legal`);
        }
      }
    }),
    { numRuns: 1500 },
  );
});
