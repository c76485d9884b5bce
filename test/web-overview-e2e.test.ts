/**
 * The dashboard's live cluster overview in real Chromium: a loop tick records the run's state in the store, the
 * event stream announces it, and the page shows the cluster summary and a row per service without a reload; when
 * no write comes for a while the view says it is stale. Also GET /api/overview itself (roles, errors, OpenAPI).
 */
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { Guardrails } from '../src/govern/guardrails.js';
import { LatestStateStore } from '../src/knowledge/latest-state.js';
import { Controller } from '../src/loop/controller.js';
import { buildPlanners, prepareSimulation } from '../src/loop/simulation.js';
import { StateRecorder } from '../src/loop/state-recorder.js';
import { SCENARIO_SLO_ERROR_RATE, SHOP } from '../src/loop/scenario.js';
import { OverviewSchema } from '../src/interfaces/api/overview.js';
import { startHarness, type Harness } from './api-harness.js';
import { chromiumSkip as skip, openChromium, SCREENSHOTS } from './support/chromium.js';

let h: Harness;
let browser: Browser | undefined;
let page: Page;

before(async () => {
  h = await startHarness({ log: false });
  if (skip) return;
  ({ browser, page } = await openChromium());
});

after(async () => {
  await browser?.close();
  await h?.close();
});

/** The shop scenario's loop on the twin, recording its state into the harness store as `autonomic run` does. */
async function shopLoop(runId: string): Promise<{ tick(): Promise<void> }> {
  const prepared = prepareSimulation({ policy: 'hpa', days: 1, seed: 3, load: { kind: 'generator', name: 'diurnal' } });
  const { twin, guardrailPolicy, spec } = prepared;
  const { policies, analyzers } = buildPlanners(spec.policy, guardrailPolicy, prepared.playbooks);
  const objectives = Object.fromEntries(SHOP.map((s) => [s.name, { p99Ms: s.sloP99Ms, errorRate: SCENARIO_SLO_ERROR_RATE }]));
  const state = new StateRecorder({ sink: new LatestStateStore(h.store.db), runId, objectives, minIntervalMs: 0, wallClock: () => h.clock.now * 1000 });
  const controller = new Controller({ source: twin, provider: twin, policies, analyzers, guardrails: new Guardrails(guardrailPolicy), journal: h.store.journal, mode: 'auto', runId, state });
  return {
    async tick() {
      twin.advance(spec.tickSeconds);
      await controller.tick();
    },
  };
}

test('GET /api/overview: 404 before any loop ran, then the newest running run\'s state with its age; roles and bad input refused', async () => {
  const none = await h.call('GET', '/api/overview', { as: 'viewer' });
  assert.equal(none.status, 404);
  assert.match((none.body as { message: string }).message, /no loop has recorded its state/);
  assert.equal((await h.call('GET', '/api/overview')).status, 401);
  const bad = await h.call('GET', '/api/overview?staleAfter=0', { as: 'viewer' });
  assert.equal(bad.status, 400);
  assert.match((bad.body as { message: string }).message, /staleAfter/);
  assert.equal((await h.call('GET', '/api/overview?run=../etc', { as: 'viewer' })).status, 400);
  assert.equal((await h.call('GET', '/api/overview?run=nope', { as: 'viewer' })).status, 404);

  const old = await h.store.runs.create({ command: 'simulate' });
  await (await shopLoop(old.id)).tick();
  await h.store.runs.complete(old.id, {});
  const live = await h.store.runs.create({ command: 'run' });
  const loop = await shopLoop(live.id);
  await loop.tick();
  h.clock.now += 5;

  const res = await h.call('GET', '/api/overview', { as: 'viewer' });
  assert.equal(res.status, 200, res.text);
  const o = OverviewSchema.parse(res.body);
  assert.equal(o.runId, live.id, 'the running run, not the finished one');
  assert.equal(o.stale, false);
  assert.equal(o.ageSeconds, 5);
  assert.deepEqual(o.state.services.map((s) => s.name).sort(), ['api', 'checkout', 'web']);
  assert.ok(o.state.cluster.nodes.total > 0 && o.state.cluster.nodes.ready <= o.state.cluster.nodes.total);
  assert.ok(o.state.cluster.cpu.requestedMillis > 0 && o.state.cluster.cpu.requestedMillis <= o.state.cluster.cpu.allocatableMillis);
  const web = o.state.services.find((s) => s.name === 'web');
  assert.ok(web && web.replicas > 0 && web.requestRate > 0, JSON.stringify(web));

  // A finished run's state is still there when asked for by id, and says it is not live.
  const finished = OverviewSchema.parse((await h.call('GET', `/api/overview?run=${old.id}`, { as: 'viewer' })).body);
  assert.equal(finished.runId, old.id);
  assert.equal(finished.stale, true);
  // Nothing written for longer than staleAfter: stale.
  h.clock.now += 120;
  assert.equal(OverviewSchema.parse((await h.call('GET', '/api/overview?staleAfter=60', { as: 'viewer' })).body).stale, true);

  const doc = (await h.call('GET', '/openapi.json', { as: 'viewer' })).body as { paths: Record<string, { get?: { responses: Record<string, unknown> } }> };
  assert.ok(doc.paths['/api/overview']?.get?.responses['200'], 'documented with its response schema');
  await h.store.runs.complete(live.id, {});
});

test('dashboard: the live cluster panel shows a service row after a loop tick, live, then turns stale', { skip, timeout: 60_000 }, async () => {
  const run = await h.store.runs.create({ command: 'run' });
  const loop = await shopLoop(run.id);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${h.base}/`);
  await page.fill('#token', h.tokens.viewer);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('#live[data-state="on"]');

  // Until now the panel shows the earlier test's (finished, so stale) run. The tick is announced on the event
  // stream: the new run's rows replace them without a reload.
  assert.match(await page.locator('#cluster-freshness').innerText(), /^stale/);
  await loop.tick();
  await page.locator('#cluster-meta', { hasText: run.id }).waitFor();
  const row = page.locator('#service-rows tr[data-service="checkout"]');
  await row.waitFor();
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells[0], 'checkout');
  assert.match(cells[1], /^\d+\/\d+/, 'ready/desired replicas');
  assert.match(cells[2], /req\/s/);
  assert.match(cells[3], /^\d+ \/ 400 ms$/, 'p99 against the checkout SLO');
  assert.match(cells[4], /%.*\/ 0\.10 %/);
  assert.match(await row.locator('.badge').innerText(), /^(ok|warning|violated|no-data)$/);
  assert.equal(await page.locator('#service-rows tr').count(), 3);
  assert.match(await page.locator('#cluster-summary').innerText(), /nodes ready\s+\d+ \/ \d+/);
  assert.match(await page.locator('#cluster-summary').innerText(), /\$\d+\.\d\d \/ hour/);
  assert.equal(await page.locator('#cluster-freshness').innerText(), 'live');
  await page.screenshot({ path: join(SCREENSHOTS, 'web-overview.png'), fullPage: true });

  // A later tick updates the same rows (the store keeps one row per run).
  const before = await h.store.db.selectFrom('latest_state').select('at').where('run_id', '=', run.id).executeTakeFirstOrThrow();
  await loop.tick();
  await page.waitForFunction((at) => (document.querySelector('#cluster-meta')?.textContent ?? '').includes(new Date((at + 15) * 1000).toISOString().slice(11, 19)), Number(before.at));
  assert.equal((await h.store.db.selectFrom('latest_state').select('run_id').execute()).filter((r) => r.run_id === run.id).length, 1);

  // No write for longer than the stale bound: the panel says so on its next refresh.
  h.clock.now += 300;
  await page.locator('#cluster-freshness', { hasText: 'stale' }).waitFor({ timeout: 8000 });
  await page.screenshot({ path: join(SCREENSHOTS, 'web-overview-stale.png'), fullPage: true });
  assert.deepEqual(errors, [], 'no script errors on the page');
});
