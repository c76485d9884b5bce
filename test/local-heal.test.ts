/**
 * The loop heals real processes: the local stack (replicas behind the proxy, a real Prometheus scraping them every
 * second) under load, the controller in auto mode with the remediation coordinator; a replica crashes and must be
 * detected within 15 s and replaced (every replica Ready again) within 30 s, with no request lost beyond the
 * proxy's retry budget. Skips (with the reason) when `prometheus` is not on PATH.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPolicy } from '../src/govern/policy.js';
import { Guardrails } from '../src/govern/guardrails.js';
import { Controller } from '../src/loop/controller.js';
import { runLiveLoop } from '../src/loop/live-loop.js';
import { RemediationCoordinator } from '../src/plan/remediation/coordinator.js';
import { localAnalyzers } from '../src/execute/providers/local/analyzers.js';
import { trackedChildren } from '../src/execute/providers/local/child-registry.js';
import { constantTrace, LoadGenerator } from '../src/execute/providers/local/load-generator.js';
import { onPath } from '../src/execute/providers/local/prometheus-server.js';
import { LocalStack } from '../src/execute/providers/local/stack.js';

const PROMETHEUS = onPath('prometheus');

test(
  'a crashed replica is detected and restarted by the loop within the goal',
  { skip: PROMETHEUS ? false : 'prometheus is not on PATH (apt-get install prometheus; .ci/run does)', timeout: 90_000 },
  async () => {
    const stack = await LocalStack.start({ deployment: { replicas: 2 } });
    const load = new LoadGenerator(stack.proxy.url, constantTrace(20));
    const stop = new AbortController();
    let loop: Promise<unknown> = Promise.resolve();
    try {
      load.start();
      await stack.settled(45_000);
      const source = stack.source;
      assert.ok(source);
      let detectedAt: number | undefined;
      let t0 = Infinity;
      const actions: string[] = [];
      const controller = new Controller({
        source, provider: stack.provider, policies: [new RemediationCoordinator()], analyzers: localAnalyzers(),
        guardrails: new Guardrails(defaultPolicy()), mode: 'auto',
      });
      loop = runLiveLoop(controller, {
        intervalSeconds: 2, signal: stop.signal,
        onTick: (r) => {
          if (r.at * 1000 >= t0 && r.findings.some((f) => f.target === 'service/web' && f.evidence.fault === 'crash-loop')) detectedAt ??= r.at * 1000;
          for (const d of r.decisions) actions.push(`${d.proposal.source}: ${d.outcome?.message ?? d.verdict.outcome}`);
        },
      });
      await new Promise((r) => setTimeout(r, 3000));
      const [victim] = stack.deployment.list();
      t0 = Date.now();
      await (await fetch(`${victim.url}/admin/fault?mode=crash`, { method: 'POST' })).text();

      let healedAt: number | undefined;
      while (Date.now() - t0 < 30_000 && healedAt === undefined) {
        const pods = stack.deployment.list();
        if (!pods.some((p) => p.pod === victim.pod) && pods.length === 2 && pods.every((p) => p.alive && stack.proxy.isReady(p.pod))) healedAt = Date.now();
        else await new Promise((r) => setTimeout(r, 100));
      }
      const end = healedAt ?? Date.now();
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(detectedAt !== undefined, `crash detected (actions: ${actions.join('; ') || 'none'})`);
      assert.ok(detectedAt - t0 <= 15_000, `detected in ${(detectedAt - t0) / 1000} s`);
      assert.ok(healedAt !== undefined, `healthy again within 30 s (actions: ${actions.join('; ') || 'none'})`);
      assert.ok(actions.some((a) => a.startsWith('remediation/crash-loop: web: replaced')), actions.join('; '));
      const failed = load.results.filter((x) => x.at >= t0 && x.at < end && x.status !== 200);
      assert.equal(failed.length, 0, `no request lost beyond the retry budget: ${JSON.stringify(failed)}, proxy ${JSON.stringify({ retries: stack.proxy.stats.retries, exhausted: stack.proxy.stats.exhausted })}`);
    } finally {
      stop.abort();
      await loop;
      await load.stop();
      await stack.stop();
    }
    assert.equal(trackedChildren().length, 0, 'Prometheus, node_exporter and every replica are gone');
  },
);
