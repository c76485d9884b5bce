import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitOpsProvider } from '../src/execute/providers/gitops/gitops-provider.js';
import { UserError } from '../src/core/errors.js';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { Controller } from '../src/loop/controller.js';
import { Guardrails } from '../src/govern/guardrails.js';
import { defaultPolicy } from '../src/govern/policy.js';

/** Real git throughout: a bare "origin" as Argo CD would watch it, Autonomic's clone, and a colleague's clone. */

const base = mkdtempSync(join(tmpdir(), 'autonomic-gitops-'));
after(() => rmSync(base, { recursive: true, force: true }));

const HUMAN = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Alice', GIT_AUTHOR_EMAIL: 'alice@example.com',
  GIT_COMMITTER_NAME: 'Alice', GIT_COMMITTER_EMAIL: 'alice@example.com',
  GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C',
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: HUMAN, encoding: 'utf8' }).trim();
}

const WEB = `# The shop front.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # keep in sync with the Service
  namespace: shop
spec:
  replicas: 3 # sized for a normal day
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: "shop/web:1.2"   # pinned
`;

const API = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 2
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: shop/api:3.0
---
# api scales itself on CPU.
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
  namespace: shop
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: api
  minReplicas: 2   # never fewer
  maxReplicas: 10
`;

let n = 0;
interface Fixture {
  remote: string;
  work: string;
  other: string;
}

/** origin (bare) seeded with apps/web.yaml and apps/api.yaml; `work` is Autonomic's clone, `other` a colleague's. */
function fixture(): Fixture {
  const dir = join(base, `f${++n}`);
  mkdirSync(dir);
  const remote = join(dir, 'origin.git');
  git(dir, 'init', '-q', '--bare', '-b', 'main', remote);
  const seed = join(dir, 'seed');
  git(dir, 'init', '-q', '-b', 'main', seed);
  mkdirSync(join(seed, 'apps'));
  writeFileSync(join(seed, 'apps', 'web.yaml'), WEB);
  writeFileSync(join(seed, 'apps', 'api.yaml'), API);
  writeFileSync(join(seed, 'README.md'), 'cluster state\n');
  git(seed, 'add', '.');
  git(seed, 'commit', '-q', '-m', 'initial manifests');
  git(seed, 'remote', 'add', 'origin', remote);
  git(seed, 'push', '-q', 'origin', 'main');
  const work = join(dir, 'work');
  const other = join(dir, 'other');
  git(dir, 'clone', '-q', remote, work);
  git(dir, 'clone', '-q', remote, other);
  return { remote, work, other };
}

const fixedClock = () => new Date('2026-01-02T03:04:05.000Z');

function status(cwd: string): string {
  return git(cwd, 'status', '--porcelain');
}

test('scale: one commit by Autonomic with exactly the replicas line changed, rationale and trailers in the message', async () => {
  const f = fixture();
  const before = git(f.work, 'rev-parse', 'HEAD');
  const p = await GitOpsProvider.open({ repo: f.work, path: 'apps' });
  const out = await p.apply({ kind: 'scale', service: 'web', from: 3, to: 5 }, { decisionId: 'd-42', rationale: 'CPU at 92 % of the request for 3 minutes.', source: 'hpa' });
  assert.equal(out.ok, true, out.message);
  assert.match(out.message, /spec\.replicas 3 → 5/);

  assert.equal(git(f.work, 'rev-list', '--count', `${before}..HEAD`), '1');
  assert.equal(git(f.work, 'log', '-1', '--format=%an <%ae>'), 'Autonomic <autonomic@localhost>');
  assert.equal(git(f.work, 'log', '-1', '--format=%s'), 'autonomic: scale web 3→5');
  const body = git(f.work, 'log', '-1', '--format=%b');
  assert.match(body, /CPU at 92 % of the request for 3 minutes\./);
  assert.equal(git(f.work, 'log', '-1', '--format=%(trailers:key=Autonomic-Decision,valueonly)'), 'd-42');
  assert.equal(git(f.work, 'log', '-1', '--format=%(trailers:key=Autonomic-Source,valueonly)'), 'hpa');
  assert.deepEqual(JSON.parse(git(f.work, 'log', '-1', '--format=%(trailers:key=Autonomic-Action,valueonly)')), { kind: 'scale', service: 'web', from: 3, to: 5 });

  const diff = git(f.work, 'diff', '-U0', `${before}..HEAD`).split('\n').filter((l) => /^[-+][^-+]/.test(l));
  assert.deepEqual(diff, ['-  replicas: 3 # sized for a normal day', '+  replicas: 5 # sized for a normal day']);
  assert.equal(readFileSync(join(f.work, 'apps', 'web.yaml'), 'utf8'), WEB.replace('replicas: 3', 'replicas: 5'));
  assert.equal(status(f.work), '');
  // Not configured to push: origin is untouched.
  assert.equal(git(f.remote, 'rev-parse', 'main'), before);

  const again = await p.apply({ kind: 'scale', service: 'web', from: 5, to: 5 });
  assert.equal(again.ok, true);
  assert.match(again.message, /nothing to commit/);
  assert.equal(git(f.work, 'rev-list', '--count', `${before}..HEAD`), '1');
});

test('push: the commit reaches the bare remote that Argo CD / Flux would sync', async () => {
  const f = fixture();
  const p = await GitOpsProvider.open({ repo: f.work, path: 'apps', push: true });
  const out = await p.apply({ kind: 'scale', service: 'web', from: 3, to: 4 });
  assert.equal(out.ok, true, out.message);
  assert.match(out.message, /pushed to origin\/main/);
  assert.equal(git(f.remote, 'rev-parse', 'main'), git(f.work, 'rev-parse', 'HEAD'));
  assert.equal(git(f.remote, 'log', '-1', '--format=%an', 'main'), 'Autonomic');
  assert.match(git(f.remote, 'show', 'main:apps/web.yaml'), /replicas: 4 # sized/);
});

/**
 * A colleague pushes to origin while Autonomic is pushing: a pre-push hook in Autonomic's clone runs `race` in the
 * colleague's clone once, so origin moves after Autonomic synced and committed but before its push lands.
 */
function raceOnPush(f: Fixture, race: string): void {
  const marker = join(f.work, '..', 'raced');
  const hook = join(f.work, '.git', 'hooks', 'pre-push');
  writeFileSync(hook, [
    '#!/bin/sh',
    `[ -e '${marker}' ] && exit 0`,
    `touch '${marker}'`,
    'unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE',
    'export GIT_AUTHOR_NAME=Bob GIT_AUTHOR_EMAIL=bob@example.com GIT_COMMITTER_NAME=Bob GIT_COMMITTER_EMAIL=bob@example.com',
    `cd '${f.other}' && git pull -q origin main && ${race} && git commit -q -am 'colleague change' && git push -q origin main`,
    '',
  ].join('\n'), { mode: 0o755 });
}

test('the remote moved while pushing (a colleague pushed meanwhile): rebase once, push, both commits kept', async () => {
  const f = fixture();
  raceOnPush(f, "echo 'cluster state, now documented' > README.md");
  const p = await GitOpsProvider.open({ repo: f.work, path: 'apps', push: true });
  const out = await p.apply({ kind: 'scale', service: 'web', from: 3, to: 6 }, { decisionId: 'd-7' });
  assert.equal(out.ok, true, out.message);
  assert.match(out.message, /rebased onto origin\/main \(it had moved\) and pushed/);
  assert.equal(git(f.remote, 'rev-parse', 'main'), git(f.work, 'rev-parse', 'HEAD'));
  assert.equal(git(f.remote, 'log', '-1', '--format=%an', 'main^'), 'Bob');
  assert.equal(git(f.remote, 'log', '-1', '--format=%(trailers:key=Autonomic-Decision,valueonly)', 'main'), 'd-7');
  assert.match(git(f.remote, 'show', 'main:README.md'), /now documented/);
  assert.match(git(f.remote, 'show', 'main:apps/web.yaml'), /replicas: 6 # sized/);
  assert.equal(status(f.work), '');
});

test('the remote changed the same line while pushing: a clear failure, local commit undone, working copy and remote as they were', async () => {
  const f = fixture();
  raceOnPush(f, "sed -i 's/replicas: 3/replicas: 8/' apps/web.yaml");
  const before = git(f.work, 'rev-parse', 'HEAD');
  const p = await GitOpsProvider.open({ repo: f.work, path: 'apps', push: true });
  const out = await p.apply({ kind: 'scale', service: 'web', from: 3, to: 5 });
  assert.equal(out.ok, false);
  assert.match(out.message, /origin\/main moved and the change conflicts with it/);
  assert.match(out.message, /working copy was restored/);
  assert.equal(git(f.work, 'rev-parse', 'HEAD'), before);
  assert.equal(status(f.work), '');
  assert.equal(readFileSync(join(f.work, 'apps', 'web.yaml'), 'utf8'), WEB);
  assert.equal(git(f.remote, 'log', '-1', '--format=%an', 'main'), 'Bob');
  assert.match(git(f.remote, 'show', 'main:apps/web.yaml'), /replicas: 8/);

  // The next action starts from what origin holds now, so the same change no longer conflicts.
  const retry = await p.apply({ kind: 'scale', service: 'web', from: 8, to: 5 });
  assert.equal(retry.ok, true, retry.message);
  assert.match(retry.message, /spec\.replicas 8 → 5/);
  assert.equal(git(f.remote, 'rev-parse', 'main'), git(f.work, 'rev-parse', 'HEAD'));
});

test('a stale clone is fast-forwarded to the remote before editing', async () => {
  const f = fixture();
  writeFileSync(join(f.other, 'apps', 'web.yaml'), WEB.replace('replicas: 3', 'replicas: 8'));
  git(f.other, 'commit', '-q', '-am', 'web: 8 replicas for the sale');
  git(f.other, 'push', '-q', 'origin', 'main');
  const p = await GitOpsProvider.open({ repo: f.work, path: 'apps', push: true });
  const out = await p.apply({ kind: 'scale', service: 'web', from: 8, to: 10 });
  assert.equal(out.ok, true, out.message);
  assert.match(out.message, /spec\.replicas 8 → 10.*pushed to origin\/main/);
  assert.equal(git(f.remote, 'log', '-1', '--format=%s', 'main^'), 'web: 8 replicas for the sale');
});

test('unknown service or missing manifest: a failed outcome naming it, no commit, clean tree', async () => {
  const f = fixture();
  const before = git(f.work, 'rev-parse', 'HEAD');
  const p = await GitOpsProvider.open({ repo: f.work, path: 'apps' });
  const out = await p.apply({ kind: 'scale', service: 'checkout', from: 1, to: 2 });
  assert.equal(out.ok, false);
  assert.match(out.message, /no Deployment or StatefulSet named checkout in apps/);
  assert.equal(git(f.work, 'rev-parse', 'HEAD'), before);
  assert.equal(status(f.work), '');

  rmSync(join(f.work, 'apps', 'web.yaml'));
  git(f.work, 'commit', '-q', '-am', 'web moved elsewhere');
  const head = git(f.work, 'rev-parse', 'HEAD');
  const gone = await p.apply({ kind: 'restart-pod', service: 'web' });
  assert.equal(gone.ok, false);
  assert.match(gone.message, /no Deployment or StatefulSet named web/);
  assert.equal(git(f.work, 'rev-parse', 'HEAD'), head);
  assert.equal(status(f.work), '');

  const node = await p.apply({ kind: 'remove-node', node: 'n-1' });
  assert.equal(node.ok, false);
  assert.match(node.message, /remove-node is not expressed in application manifests/);
});

test('an HPA owns the replicas: its minReplicas moves instead, spec.replicas is left alone, and the outcome says so', async () => {
  const f = fixture();
  const before = git(f.work, 'rev-parse', 'HEAD');
  const p = await GitOpsProvider.open({ repo: f.work, path: 'apps', namespace: 'shop' });
  const out = await p.apply({ kind: 'scale', service: 'api', from: 2, to: 6 });
  assert.equal(out.ok, true, out.message);
  assert.match(out.message, /owned by the HPA api: set its minReplicas 2 → 6 in apps\/api\.yaml instead of spec\.replicas/);
  const diff = git(f.work, 'diff', '-U0', `${before}..HEAD`).split('\n').filter((l) => /^[-+][^-+]/.test(l));
  assert.deepEqual(diff, ['-  minReplicas: 2   # never fewer', '+  minReplicas: 6   # never fewer']);
  assert.match(git(f.work, 'log', '-1', '--format=%b'), /so GitOps does not fight the autoscaler/);

  const high = await p.apply({ kind: 'scale', service: 'api', from: 6, to: 30 });
  assert.equal(high.ok, true, high.message);
  assert.match(high.message, /minReplicas 6 → 10 .*capped at the HPA's maxReplicas 10/);

  const zero = await p.apply({ kind: 'scale', service: 'api', from: 10, to: 0 });
  assert.equal(zero.ok, false);
  assert.match(zero.message, /minReplicas cannot be 0/);
  assert.equal(status(f.work), '');
});

test('restart: the pod template gets the restartedAt annotation kubectl rollout restart would set', async () => {
  const f = fixture();
  const p = await GitOpsProvider.open({ repo: f.work, path: 'apps' }, { clock: fixedClock });
  const out = await p.apply({ kind: 'restart-pod', service: 'web', pod: 'web-7f9c-x2' });
  assert.equal(out.ok, true, out.message);
  assert.match(out.message, /every pod of web is replaced/);
  const text = readFileSync(join(f.work, 'apps', 'web.yaml'), 'utf8');
  assert.equal(text, WEB.replace('        app: web\n', '        app: web\n      annotations:\n        kubectl.kubernetes.io/restartedAt: "2026-01-02T03:04:05.000Z"\n'));
});

test('rollback: the pod template from before the last change to it; a second rollback does not flip back', async () => {
  const f = fixture();
  writeFileSync(join(f.work, 'apps', 'web.yaml'), WEB.replace('shop/web:1.2', 'shop/web:1.3'));
  git(f.work, 'commit', '-q', '-am', 'web 1.3');
  const p = await GitOpsProvider.open({ repo: f.work, path: 'apps' }, { clock: fixedClock });
  // A restart and a scale after the bad release are not versions to roll back to.
  assert.equal((await p.apply({ kind: 'restart-pod', service: 'web' })).ok, true);
  assert.equal((await p.apply({ kind: 'scale', service: 'web', from: 3, to: 4 })).ok, true);

  const out = await p.apply({ kind: 'rollback', service: 'web' });
  assert.equal(out.ok, true, out.message);
  assert.match(out.message, /pod template restored to its version before [0-9a-f]{7} \("web 1.3"\)/);
  const text = readFileSync(join(f.work, 'apps', 'web.yaml'), 'utf8');
  assert.match(text, /image: "shop\/web:1\.2"   # pinned/);
  assert.match(text, /replicas: 4 # sized/);

  const again = await p.apply({ kind: 'rollback', service: 'web' });
  assert.equal(again.ok, true, again.message);
  assert.match(again.message, /already has the pod template from before/);
  assert.match(readFileSync(join(f.work, 'apps', 'web.yaml'), 'utf8'), /shop\/web:1\.2/);
});

test('uncommitted changes in the working copy: refused, and the person\'s edit is kept', async () => {
  const f = fixture();
  const edited = WEB.replace('# The shop front.', '# The shop front (work in progress).');
  writeFileSync(join(f.work, 'apps', 'web.yaml'), edited);
  const p = await GitOpsProvider.open({ repo: f.work, path: 'apps' });
  const out = await p.apply({ kind: 'scale', service: 'web', from: 3, to: 5 });
  assert.equal(out.ok, false);
  assert.match(out.message, /uncommitted changes/);
  assert.equal(readFileSync(join(f.work, 'apps', 'web.yaml'), 'utf8'), edited);
});

test('open: a bare repository, a plain folder and a path outside the repository are user errors', async () => {
  const f = fixture();
  await assert.rejects(GitOpsProvider.open({ repo: f.remote }), (e: unknown) => e instanceof UserError && /bare repository/.test(e.message));
  const plain = mkdtempSync(join(base, 'plain-'));
  await assert.rejects(GitOpsProvider.open({ repo: plain }), (e: unknown) => e instanceof UserError && /not a Git working copy/.test(e.message));
  await assert.rejects(GitOpsProvider.open({ repo: f.work, path: '../elsewhere' }), (e: unknown) => e instanceof UserError && /inside the repository/.test(e.message));
  await assert.rejects(GitOpsProvider.open({ repo: f.work, path: 'nope' }), (e: unknown) => e instanceof UserError && /does not exist/.test(e.message));
  await assert.rejects(GitOpsProvider.open({ repo: f.work, push: 'yes' as unknown as boolean }), (e: unknown) => e instanceof UserError && /push/.test(e.message));
});

test('concurrent applies are serialised into separate commits', async () => {
  const f = fixture();
  const before = git(f.work, 'rev-parse', 'HEAD');
  const p = await GitOpsProvider.open({ repo: f.work, path: 'apps' }, { clock: fixedClock });
  const outs = await Promise.all([
    p.apply({ kind: 'scale', service: 'web', from: 3, to: 5 }),
    p.apply({ kind: 'restart-pod', service: 'api' }),
  ]);
  assert.deepEqual(outs.map((o) => o.ok), [true, true]);
  assert.equal(git(f.work, 'rev-list', '--count', `${before}..HEAD`), '2');
  assert.equal(status(f.work), '');
});

test('a kustomize replicas override owns the count: its entry is edited, not the Deployment', async () => {
  const f = fixture();
  writeFileSync(join(f.work, 'apps', 'kustomization.yaml'), 'resources:\n  - web.yaml\n  - api.yaml\nreplicas:\n  - name: web\n    count: 4   # prod size\n');
  git(f.work, 'add', '.');
  git(f.work, 'commit', '-q', '-m', 'kustomize');
  const before = git(f.work, 'rev-parse', 'HEAD');
  const p = await GitOpsProvider.open({ repo: f.work, path: 'apps' });
  const out = await p.apply({ kind: 'scale', service: 'web', from: 4, to: 6 });
  assert.equal(out.ok, true, out.message);
  assert.match(out.message, /apps\/kustomization\.yaml: kustomize replicas override for web 4 → 6/);
  assert.deepEqual(git(f.work, 'diff', '--name-only', `${before}..HEAD`), 'apps/kustomization.yaml');
  assert.match(readFileSync(join(f.work, 'apps', 'kustomization.yaml'), 'utf8'), /count: 6 {3}# prod size/);
});

test('the repository\'s pre-commit hook refuses the change: failed outcome with the hook\'s words, nothing left behind', async () => {
  const f = fixture();
  writeFileSync(join(f.work, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\necho "kubeconform: apps/web.yaml: replicas above the team quota" >&2\nexit 1\n', { mode: 0o755 });
  const before = git(f.work, 'rev-parse', 'HEAD');
  const p = await GitOpsProvider.open({ repo: f.work, path: 'apps' });
  const out = await p.apply({ kind: 'scale', service: 'web', from: 3, to: 50 });
  assert.equal(out.ok, false);
  assert.match(out.message, /replicas above the team quota/);
  assert.match(out.message, /working copy was restored/);
  assert.equal(git(f.work, 'rev-parse', 'HEAD'), before);
  assert.equal(status(f.work), '');
  assert.equal(readFileSync(join(f.work, 'apps', 'web.yaml'), 'utf8'), WEB);
});

test('as the loop\'s provider: an allowed decision becomes a commit carrying the planner\'s rationale and the decision\'s id', async () => {
  const f = fixture();
  const twin = new TwinCluster({ services: [{ name: 'web', replicas: 3 }] });
  const provider = await GitOpsProvider.open({ repo: f.work, path: 'apps', push: true });
  const c = new Controller({
    source: twin, provider, mode: 'auto', guardrails: new Guardrails(defaultPolicy()),
    policies: [{ name: 'hpa', decide: () => [{ action: { kind: 'scale', service: 'web', from: 3, to: 5 }, source: 'hpa', rationale: 'busy', evidence: {}, expectedEffect: '' }] }],
  });
  const r = await c.tick();
  assert.equal(r.executed, 1, r.decisions[0]?.outcome?.message);
  assert.equal(git(f.remote, 'log', '-1', '--format=%s', 'main'), 'autonomic: scale web 3→5');
  assert.match(git(f.remote, 'log', '-1', '--format=%(trailers:key=Autonomic-Decision,valueonly)', 'main'), /^loop@\d+(?:\.\d+)?#0\s*$/);
  assert.match(git(f.remote, 'log', '-1', '--format=%b', 'main'), /^busy$/m, 'the rationale is the commit body');
  assert.match(git(f.remote, 'log', '-1', '--format=%(trailers:key=Autonomic-Source,valueonly)', 'main'), /^hpa\s*$/);
  // The twin is only the telemetry here: GitOps changed Git, not the cluster.
  assert.equal(twin.snapshotNow().services[0].replicas, 3);
});
