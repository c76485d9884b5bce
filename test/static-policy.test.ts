import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StaticPolicy } from '../src/plan/scaling/static.js';
import type { ServiceTelemetry, Snapshot } from '../src/core/snapshot.js';

function svc(name: string, replicas: number): ServiceTelemetry {
  return {
    name,
    replicas,
    readyReplicas: replicas,
    pendingReplicas: 0,
    cpuRequestMillis: 500,
    memoryRequestMiB: 256,
    serviceRatePerReplica: 10,
    pods: { ready: replicas, unready: 0, missing: 0, cpuUsageMillis: 0 },
    cpuUtilization: 0,
    memoryUtilization: 0,
    requestRate: 0,
    servedRate: 0,
    errorRate: 0,
    latencyP50Ms: 1,
    latencyP99Ms: 1,
    queueDepth: 0,
  };
}

const snap = (services: ServiceTelemetry[]): Snapshot => ({ at: 0, services, nodes: [], events: [], logs: [], costPerHour: 0 });

test('one number for all: only services off target get a scale proposal', () => {
  const out = new StaticPolicy(3).decide({ snapshot: snap([svc('a', 3), svc('b', 5), svc('c', 0)]), now: 0 });
  assert.deepEqual(out.map((p) => p.action), [
    { kind: 'scale', service: 'b', from: 5, to: 3 },
    { kind: 'scale', service: 'c', from: 0, to: 3 },
  ]);
  assert.equal(out[0].source, 'static');
  assert.equal(out[0].evidence.target, 3);
  assert.match(out[0].rationale, /configured for 3 replicas but runs 5/);
});

test('a map per service leaves unlisted services alone', () => {
  const p = new StaticPolicy({ web: 4, api: 2 });
  const out = p.decide({ snapshot: snap([svc('web', 4), svc('api', 1), svc('batch', 9)]), now: 0 });
  assert.deepEqual(out.map((x) => x.action), [{ kind: 'scale', service: 'api', from: 1, to: 2 }]);
  assert.equal(p.targetFor('batch'), undefined);
  // Inherited object keys are not services.
  assert.equal(p.targetFor('toString'), undefined);
});

test('invalid configuration is rejected', () => {
  assert.throws(() => new StaticPolicy(-1));
  assert.throws(() => new StaticPolicy({ web: 1.5 }));
});
