// The Autonomic dashboard: plain ES module, no build step, no dependencies. Every piece of data goes into the page
// through textContent or element properties, never innerHTML, so journal text and intents stay inert.
const TOKEN_KEY = 'autonomic.token';
const $ = (id) => document.getElementById(id);

/** Create an element with text (never markup) and optional class. */
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

const when = (at) => new Date(at * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');

function describeAction(a) {
  if (!a || typeof a !== 'object') return String(a);
  const { kind, ...rest } = a;
  return `${kind} ${Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' ')}`.trim();
}

class Unauthorized extends Error {}

async function api(method, path, body) {
  const headers = { authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (res.status === 401) throw new Unauthorized(data.message ?? 'unauthenticated');
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${data.message ?? ''}`.trim());
  return data;
}

function showError(e) {
  if (e instanceof Unauthorized) return logout(e.message);
  $('error').textContent = e instanceof Error ? e.message : String(e);
}

// ---- overview ----
async function loadStatus() {
  const s = await api('GET', '/api/status');
  const dl = $('status');
  dl.replaceChildren();
  const rows = [
    ['version', s.version],
    ['uptime', `${s.uptimeSeconds} s`],
    ['journal entries', s.journal.entries],
    ['journal head', s.journal.headHash.slice(0, 16)],
    ['pending approvals', s.approvalsPending],
    ['runs running', s.runs.running],
    ['latest run', s.runs.latest ? `${s.runs.latest.id} ${s.runs.latest.command} (${s.runs.latest.status})` : '—'],
    ['policy', `${s.policy.source} ${s.policy.sha256.slice(0, 12)}`],
    ['live cluster snapshot', s.liveSnapshot ? 'yes' : 'no'],
  ];
  for (const [k, v] of rows) dl.append(el('dt', k), el('dd', v));
  return s;
}

async function loadRuns() {
  const r = await api('GET', '/api/runs');
  const ul = $('runs');
  ul.replaceChildren();
  for (const run of (r.items ?? []).slice(0, 10)) {
    const li = el('li');
    li.append(el('div', `${run.command} — ${run.status}`), el('div', `${run.id} · ${when(run.createdAt)}`, 'meta'));
    ul.append(li);
  }
  if (!ul.childElementCount) ul.append(el('li', 'No runs yet.', 'meta'));
}

// ---- live cluster: the state the loop recorded last (GET /api/overview), refreshed on the stream's `overview` events ----
const fixed = (x, d = 1) => Number(x).toFixed(d);
const percent = (x) => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)} %`;
let overviewPoll = null;
let overviewDebounce = null;

function meter(used, total) {
  const m = el('meter');
  m.min = 0;
  m.max = Math.max(total, 1);
  m.value = Math.min(used, m.max);
  m.high = 0.85 * m.max;
  return m;
}

function usage(label, used, total, unit) {
  const dd = el('dd');
  dd.append(meter(used, total), document.createTextNode(`${fixed(used, 0)} / ${fixed(total, 0)} ${unit} requested (${total > 0 ? fixed((100 * used) / total, 0) : 0} %)`));
  return [el('dt', label), dd];
}

function serviceRow(s) {
  const tr = el('tr');
  tr.dataset.service = s.name;
  tr.dataset.status = s.status;
  const badge = el('span', s.status, `badge status-${s.status}`);
  if (s.reasons.length) badge.title = s.reasons.join('; ');
  const status = el('td');
  status.append(badge);
  if (s.reasons.length) status.append(el('div', s.reasons.join('; '), 'meta'));
  tr.append(
    el('td', s.name),
    el('td', `${s.readyReplicas}/${s.replicas}${s.pendingReplicas ? ` (+${s.pendingReplicas} pending)` : ''}`),
    el('td', `${fixed(s.requestRate)} req/s · cpu ${fixed(100 * s.cpuUtilization, 0)} %`),
    el('td', `${fixed(s.p99Ms, 0)} / ${s.slo.p99Ms} ms`),
    el('td', `${percent(s.errorRate)} / ${percent(s.slo.errorRate)}`),
    status,
  );
  return tr;
}

function renderOverview(o) {
  const fresh = $('cluster-freshness');
  const rows = $('service-rows');
  const dl = $('cluster-summary');
  if (!o) {
    fresh.textContent = 'no data';
    fresh.className = 'badge fresh-none';
    $('cluster-meta').textContent = 'No loop has recorded its state yet: start `autonomic run`, `demo` or `simulate` on this store.';
    dl.replaceChildren();
    rows.replaceChildren();
    return;
  }
  const st = o.state;
  const c = st.cluster;
  fresh.textContent = o.stale ? `stale (${fixed(o.ageSeconds, 0)} s old)` : 'live';
  fresh.className = `badge ${o.stale ? 'fresh-stale' : 'fresh-live'}`;
  fresh.dataset.stale = String(o.stale);
  $('cluster-meta').textContent = `run ${o.runId}${o.run ? ` · ${o.run.command} (${o.run.status})` : ''} · loop time ${when(st.at)} · written ${fixed(o.ageSeconds, 0)} s ago${st.degraded ? ` · DEGRADED: ${st.degraded}` : ''}`;
  dl.replaceChildren(
    el('dt', 'nodes ready'), el('dd', `${c.nodes.ready} / ${c.nodes.total}${c.nodes.provisioning ? ` (${c.nodes.provisioning} provisioning)` : ''}`),
    ...usage('CPU', c.cpu.requestedMillis / 1000, c.cpu.allocatableMillis / 1000, 'cores'),
    ...usage('memory', c.memory.requestedMiB / 1024, c.memory.allocatableMiB / 1024, 'GiB'),
    el('dt', 'cost'), el('dd', c.costPerHour === null ? '—' : `$${fixed(c.costPerHour, 2)} / hour`),
    el('dt', 'services'), el('dd', `${c.services.total}: ${c.services.ok} ok, ${c.services.warning} warning, ${c.services.violated} violating their SLO`),
  );
  rows.replaceChildren(...st.services.map(serviceRow));
  if (st.servicesOmitted) {
    const tr = el('tr');
    const td = el('td', `… and ${st.servicesOmitted} more`, 'meta');
    td.colSpan = 6;
    tr.append(td);
    rows.append(tr);
  }
}

async function loadOverview() {
  const res = await fetch('/api/overview', { headers: { authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}` } });
  const data = await res.json().catch(() => ({}));
  if (res.status === 401) throw new Unauthorized(data.message ?? 'unauthenticated');
  if (res.status === 404) return renderOverview(null);
  if (!res.ok) throw new Error(`GET /api/overview: ${res.status} ${data.message ?? ''}`.trim());
  renderOverview(data);
}

/** An `overview` event: the loop wrote a new state (ticks can be many a second in a simulation: refresh once per burst). */
function overviewChanged() {
  clearTimeout(overviewDebounce);
  overviewDebounce = setTimeout(() => { loadOverview().catch(showError); }, 200);
}

// ---- forecast vs actual: inline SVG built with DOM calls, so series names and numbers never become markup ----
const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function drawChart(d) {
  const W = 560, H = 200, P = 6;
  const values = [...d.actual, ...d.p10, ...d.p90].filter((v) => v !== null);
  const chart = $('chart');
  chart.replaceChildren();
  if (!values.length) return chart.append(el('p', 'No data in this window.', 'meta'));
  const lo = Math.min(...values), hi = Math.max(...values);
  const span = hi - lo || 1;
  const n = Math.max(d.actual.length, d.forecastOffset + d.p50.length);
  const x = (i) => P + (i / Math.max(1, n - 1)) * (W - 2 * P);
  const y = (v) => H - P - ((v - lo) / span) * (H - 2 * P);
  const path = (pts, off) => pts.map((v, i) => (v === null ? null : `${x(i + off).toFixed(1)},${y(v).toFixed(1)}`)).filter(Boolean).join(' ');
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-label': `forecast vs actual for ${d.key}` });
  const upper = path(d.p90, d.forecastOffset).split(' ');
  const lower = path(d.p10, d.forecastOffset).split(' ').reverse();
  if (upper[0]) root.append(svg('polygon', { points: [...upper, ...lower].join(' '), class: 'band' }));
  root.append(svg('polyline', { points: path(d.actual, 0), class: 'actual' }));
  root.append(svg('polyline', { points: path(d.p50, d.forecastOffset), class: 'forecast' }));
  chart.append(root, el('div', `${d.key} · ${d.model} · min ${lo.toFixed(2)} max ${hi.toFixed(2)} · from ${when(d.start)}`, 'meta'));
}

async function loadSeries() {
  const key = $('series').value;
  if (!key) return;
  drawChart(await api('GET', `/api/telemetry/forecast?key=${encodeURIComponent(key)}`));
}

async function loadTelemetry() {
  const { keys } = await api('GET', '/api/telemetry');
  const select = $('series');
  const current = select.value;
  select.replaceChildren(...keys.map((k) => { const o = el('option', k); o.value = k; return o; }));
  if (!keys.length) return $('chart').replaceChildren(el('p', 'No stored telemetry yet (the live loop and `autonomic models` store it).', 'meta'));
  if (keys.includes(current)) select.value = current;
  await loadSeries();
}

// ---- approvals ----
async function loadApprovals() {
  const { items } = await api('GET', '/api/approvals');
  const ul = $('approval-list');
  ul.replaceChildren();
  for (const a of items) {
    const li = el('li');
    li.dataset.id = a.id;
    li.append(el('strong', describeAction(a.action)), el('div', a.rationale));
    for (const r of a.reasons) li.append(el('div', `• ${r}`, 'meta'));
    li.append(el('div', `${a.id} · from ${a.source} · expires ${when(a.expiresAt)}`, 'meta'));
    for (const verb of ['approve', 'reject']) {
      const b = el('button', verb === 'approve' ? 'Approve' : 'Reject', verb);
      b.type = 'button';
      b.addEventListener('click', async () => {
        for (const x of li.querySelectorAll('button')) x.disabled = true;
        try {
          await api('POST', `/api/approvals/${encodeURIComponent(a.id)}/${verb}`, {});
          await Promise.all([loadApprovals(), loadStatus()]);
        } catch (e) {
          showError(e);
          for (const x of li.querySelectorAll('button')) x.disabled = false;
        }
      });
      li.append(b, document.createTextNode(' '));
    }
    ul.append(li);
  }
  if (!items.length) ul.append(el('li', 'Nothing waits for a decision.', 'meta'));
}

// ---- decisions ----
// Anomalies, faults and the remediation steps share the decision timeline, so cause and response read together.
const TIMELINE_KINDS = ['decision', 'anomaly', 'fault', 'detection', 'diagnosis', 'verification', 'recovery', 'undo', 'escalation'];

function decisionItem(d) {
  const li = el('li');
  li.dataset.seq = d.seq;
  li.dataset.kind = d.kind ?? 'decision';
  const p = d.payload && typeof d.payload === 'object' ? d.payload : {};
  if (li.dataset.kind !== 'decision') li.append(el('span', li.dataset.kind, `badge kind-${li.dataset.kind}`));
  li.append(el('div', d.summary, 'rationale'));
  if (Array.isArray(p.reasons)) for (const r of p.reasons) li.append(el('div', `• ${r}`, 'meta'));
  if (typeof p.expectedEffect === 'string') li.append(el('div', `expected: ${p.expectedEffect}`, 'meta'));
  li.append(el('div', `#${d.seq} · ${d.actor} · ${when(d.at)}${p.verdict ? ` · ${p.verdict}` : ''}`, 'meta'));
  return li;
}

async function loadDecisions(headSeq) {
  // The list is oldest-first and paged; start near the head so the newest decisions are the ones shown.
  const after = Math.max(0, headSeq - 2000);
  const pages = await Promise.all(TIMELINE_KINDS.map((k) => api('GET', `/api/decisions?kind=${k}&after=${after}&limit=500`)));
  const items = pages.flatMap((pg) => pg.items).sort((a, b) => a.seq - b.seq);
  const ol = $('decision-list');
  ol.replaceChildren(...items.slice(-100).reverse().map(decisionItem));
  if (!items.length) ol.append(el('li', 'No decisions yet.', 'meta'));
}

// ---- journal ----
async function loadVerify() {
  const v = await api('GET', '/api/journal/verify');
  const p = $('verify');
  p.replaceChildren();
  if (v.ok) p.append(el('span', 'Verified', 'ok'), document.createTextNode(` — ${v.entries} entries, hash chain intact (head #${v.head.seq} ${v.head.hash.slice(0, 16)}).`));
  else p.append(el('span', 'BROKEN', 'bad'), document.createTextNode(` at #${v.firstBadSeq}: ${v.problem} — ${v.detail}`));
}

function liveEntry(e) {
  const ol = $('journal-live');
  const li = el('li');
  li.append(el('div', `${e.kind}: ${e.summary}`), el('div', `#${e.seq} · ${e.actor} · ${when(e.at)}`, 'meta'));
  ol.prepend(li);
  while (ol.childElementCount > 100) ol.lastElementChild.remove();
}

// ---- live updates: SSE over fetch, because EventSource cannot send an Authorization header ----
let stream = null;
let refreshTimer = null;

function scheduleRefresh(kinds) {
  clearTimeout(refreshTimer);
  // Entries arrive in bursts (a loop tick writes many): refresh once per burst.
  refreshTimer = setTimeout(() => {
    const jobs = [loadStatus(), loadVerify()];
    if (kinds.has('approval') || kinds.has('proposal') || kinds.has('decision')) jobs.push(loadApprovals());
    Promise.all(jobs).catch(showError);
    kinds.clear();
  }, 300);
}

async function listen() {
  const ctrl = new AbortController();
  stream = ctrl;
  const badge = $('live');
  const kinds = new Set();
  let last = null;
  while (stream === ctrl) {
    try {
      const headers = { authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}`, accept: 'text/event-stream' };
      if (last !== null) headers['last-event-id'] = last;
      const res = await fetch('/api/events', { headers, signal: ctrl.signal });
      if (res.status === 401) return logout('token rejected');
      if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
      badge.textContent = 'live: on';
      badge.dataset.state = 'on';
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) last = line.slice(4);
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (event === 'overview') { overviewChanged(); continue; }
          if (event !== 'entry' || !data) continue;
          const entry = JSON.parse(data);
          liveEntry(entry);
          if (TIMELINE_KINDS.includes(entry.kind)) {
            const ol = $('decision-list');
            if (ol.firstElementChild && !ol.firstElementChild.dataset.seq) ol.replaceChildren();
            ol.prepend(decisionItem(entry));
          }
          kinds.add(entry.kind);
          scheduleRefresh(kinds);
        }
      }
    } catch (e) {
      if (ctrl.signal.aborted) return;
      badge.textContent = 'live: reconnecting';
      badge.dataset.state = 'error';
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

// ---- intent ----
let intentAnswers = {};

function renderIntent(r) {
  $('intent-result').hidden = false;
  $('intent-status').textContent = `Status: ${r.status}${r.approvalRequired ? ' (needs approval before apply)' : ''}${r.escalation ? ` — escalated: ${r.escalation.reason}` : ''}`;
  const qs = $('intent-questions');
  qs.replaceChildren();
  for (const q of r.questions) {
    const wrap = el('div', undefined, 'question');
    const id = `q-${q.id}`;
    const label = el('label', `${q.question}${q.blocking ? ' (required)' : ''}`);
    label.htmlFor = id;
    const input = el('input');
    input.id = id;
    input.dataset.answer = q.id;
    input.placeholder = q.suggested ?? (q.options.length ? q.options.join(', ') : '');
    input.value = intentAnswers[q.id] ?? '';
    wrap.append(label, input);
    qs.append(wrap);
  }
  const plan = $('intent-plan');
  plan.replaceChildren();
  for (const d of r.plan?.decisions ?? []) plan.append(el('li', `${d.topic}: ${d.choice} — ${d.rationale}`));
  if (r.withheld.length) plan.append(el('li', `withheld privileges: ${r.withheld.join(', ')}`, 'bad'));
  const findings = $('intent-findings');
  findings.replaceChildren();
  for (const f of r.findings) findings.append(el('li', `${f.severity} ${f.ruleId} ${f.object}${f.path ? ` ${f.path}` : ''}: ${f.message}${f.waived ? ' (waived)' : ''}`, f.severity === 'error' ? 'bad' : ''));
  if (!r.findings.length) findings.append(el('li', 'No findings.', 'meta'));
  // Every artefact file (Kubernetes YAML, Terraform, Ansible, cloud-init), each under its path; text only.
  const files = r.files ?? [];
  $('intent-yaml').textContent = files.length
    ? files.map((f) => `# ---- ${f.path} (${f.kind}) ----\n${f.content}`).join('\n')
    : r.yaml || '(no artefacts yet)';
  $('intent-status').textContent += r.id ? ` — bundle ${r.id}` : '';
}

async function submitIntent(ev) {
  ev.preventDefault();
  const text = $('intent-text').value.trim();
  if (!text) return;
  for (const input of $('intent-questions').querySelectorAll('input[data-answer]')) {
    if (input.value.trim()) intentAnswers[input.dataset.answer] = input.value.trim();
  }
  const button = ev.target.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    renderIntent(await api('POST', '/api/intents', { text, answers: intentAnswers }));
  } catch (e) {
    showError(e);
  } finally {
    button.disabled = false;
  }
}

// ---- session ----
async function enter() {
  $('login').hidden = true;
  $('dashboard').hidden = false;
  $('logout').hidden = false;
  $('error').textContent = '';
  try {
    const s = await loadStatus();
    await Promise.all([loadOverview(), loadApprovals(), loadDecisions(s.journal.entries), loadVerify(), loadRuns(), loadTelemetry()]);
    document.body.dataset.ready = 'true';
    // The age (and so staleness) moves even when nothing is written: re-read now and then.
    clearInterval(overviewPoll);
    overviewPoll = setInterval(() => { loadOverview().catch(showError); }, 5000);
  } catch (e) {
    showError(e);
    return;
  }
  void listen();
}

function logout(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  stream?.abort();
  stream = null;
  clearInterval(overviewPoll);
  clearTimeout(overviewDebounce);
  document.body.dataset.ready = '';
  $('dashboard').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message ?? '';
  $('live').textContent = 'live: off';
  $('live').dataset.state = 'off';
}

$('login-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  void enter();
});
$('logout').addEventListener('click', () => logout());
$('intent-text').addEventListener('input', () => { intentAnswers = {}; });
$('intent-form').addEventListener('submit', submitIntent);
$('series').addEventListener('change', () => { loadSeries().catch(showError); });
if (sessionStorage.getItem(TOKEN_KEY)) void enter();
