/**
 * The web dashboard in real Chromium (Debian's /usr/bin/chromium driven by playwright-core): log in with a token,
 * approve a queued action, submit an intent, and check that markup in journal text renders as text.
 */
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { TelemetryStore } from '../src/knowledge/telemetry.js';
import { startHarness, DRAIN, type Harness } from './api-harness.js';
import { chromiumSkip as skip, openChromium, SCREENSHOTS } from './support/chromium.js';

const INJECTION = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>`;

let h: Harness;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  h = await startHarness({ log: false });
  ({ browser, page } = await openChromium());
});

after(async () => {
  await browser?.close();
  await h?.close();
});

test('dashboard: log in, approve a queued action, submit an intent, injection stays text', { skip, timeout: 40_000 }, async () => {
  const proposed = await h.call('POST', '/api/proposals', { as: 'operator', body: { action: DRAIN, rationale: 'drain node-1 before its kernel update' } });
  assert.equal(proposed.status, 201, proposed.text);
  const approvalId = (proposed.body as { approval: { id: string } }).approval.id;
  await h.store.journal.append({
    at: h.clock.now, kind: 'decision', actor: 'analyze', summary: `scale web: ${INJECTION}`,
    payload: { verdict: 'allow', reasons: [INJECTION], expectedEffect: 'p99 back under the SLO' },
  });

  await h.store.journal.append({
    at: h.clock.now, kind: 'fault', actor: 'analyze', summary: 'api pod api-7 is leaking memory: OOM-killed in about 13 min',
    payload: { target: 'api', severity: 'warning', evidence: { fault: 'memory-leak' } },
  });

  const SERIES = 'web/cpu<b>x</b>';
  await new TelemetryStore(h.store.db).append(SERIES, 1000, Array.from({ length: 600 }, (_, i) => 50 + 30 * Math.sin((2 * Math.PI * i) / 288) + 4 * Math.sin(i * 1.7)));

  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${h.base}/`);
  await page.fill('#token', h.tokens.approver);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('#live[data-state="on"]');

  // The queued approval is shown, then approved from the page.
  const item = page.locator(`#approval-list li[data-id="${approvalId}"]`);
  await item.waitFor();
  assert.match(await item.innerText(), /cordon-drain/);
  // The stored series is charted (actual, forecast, interval band) and its name stays text.
  await page.locator('#chart svg polyline.actual').waitFor();
  assert.equal(await page.locator('#chart svg polygon.band').count(), 1);
  assert.equal(await page.locator('#series option').first().innerText(), SERIES);
  await page.screenshot({ path: join(SCREENSHOTS, 'web-1-overview.png'), fullPage: true });
  await item.getByRole('button', { name: 'Approve' }).click();
  await item.waitFor({ state: 'detached' });
  const decided = await h.store.approvals.get(approvalId);
  assert.equal(decided?.status, 'approved');
  assert.equal(decided?.decidedBy, 'approver-user');
  const journaled = (await h.store.journal.list({ kind: 'approval' })).find((e) => (e.payload as { approvalId?: string }).approvalId === approvalId);
  assert.equal(journaled?.actor, 'approver-user', 'the token holder is the journaled approver');
  // The approval reaches the page again through the live event stream.
  await page.locator('#journal-live li', { hasText: 'approver-user approved' }).waitFor();

  // Faults share the timeline with the decisions, marked by their kind.
  const fault = page.locator('#decision-list li[data-kind="fault"]', { hasText: 'leaking memory' });
  await fault.waitFor();
  assert.equal(await fault.locator('.badge').innerText(), 'fault');

  // Markup in a rationale is shown as its literal text and never becomes elements or runs.
  const decision = page.locator('#decision-list li[data-kind="decision"]').first();
  assert.ok((await decision.innerText()).includes(INJECTION));
  assert.equal(await page.locator('#decision-list img, #decision-list script').count(), 0);
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);

  await page.fill('#intent-text', 'deploy nginx with three replicas behind a load balancer');
  await page.click('#intent-form button[type=submit]');
  await page.locator('#intent-yaml', { hasText: 'kind: Deployment' }).waitFor();
  const yaml = await page.locator('#intent-yaml').innerText();
  assert.match(yaml, /replicas: 3/);
  assert.match(await page.locator('#intent-status').innerText(), /Status: ready/);
  assert.ok((await h.store.journal.list({ kind: 'intent.request' })).some((e) => e.actor === 'approver-user'), 'the intent is journaled with who asked');

  await page.locator('#verify .ok').waitFor();
  await page.screenshot({ path: join(SCREENSHOTS, 'web-2-after.png'), fullPage: true });
  assert.deepEqual(errors, [], 'no script errors on the page');
});

test('dashboard files are served with a same-origin CSP; unknown files and bad tokens are refused', { skip }, async () => {
  const index = await fetch(`${h.base}/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type') ?? '', /text\/html/);
  assert.match(index.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal((await fetch(`${h.base}/ui/app.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal((await fetch(`${h.base}/ui/..%2Fserver.ts`)).status, 404);
  assert.equal((await fetch(`${h.base}/ui/nope.js`)).status, 404);
  // The API keeps its stricter policy.
  assert.equal((await h.call('GET', '/api/status', { as: 'viewer' })).headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");

  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  await p.goto(`${h.base}/`);
  await p.fill('#token', 'not-a-real-token');
  await p.click('#login-form button[type=submit]');
  await p.locator('#login-error', { hasText: /bearer token/ }).waitFor();
  assert.equal(await p.locator('#dashboard').isHidden(), true);
  await ctx.close();
});
