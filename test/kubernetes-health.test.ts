/**
 * The probes' endpoint: /healthz follows the loop's heartbeat, /readyz waits for the first one.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Heartbeat, startHealthEndpoint } from '../src/execute/providers/kubernetes/health-endpoint.js';

describe('health endpoint', () => {
  it('is ready after the first beat and unhealthy when beats stop', async () => {
    let now = Date.now();
    const hb = new Heartbeat(1000, () => now);
    const ep = await startHealthEndpoint(0, hb, '127.0.0.1');
    try {
      assert.equal((await fetch(`${ep.url}/readyz`)).status, 503);
      assert.equal((await fetch(`${ep.url}/healthz`)).status, 200, 'alive while starting');
      hb.beat();
      assert.equal((await fetch(`${ep.url}/readyz`)).status, 200);
      now += 5000;
      const h = await fetch(`${ep.url}/healthz`);
      assert.equal(h.status, 503);
      assert.equal(await h.text(), 'no tick for too long\n');
      hb.beat();
      assert.equal((await fetch(`${ep.url}/healthz`)).status, 200);
      assert.equal((await fetch(`${ep.url}/nope`)).status, 404);
    } finally {
      await ep.close();
    }
  });
});
