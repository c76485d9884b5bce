/**
 * The in-cluster bundle (deploy/kubernetes/): every manifest passes the kubernetes-models schemas; real kubectl
 * accepts the folder (client dry-run, against a FAKE API server that answers discovery); the Deployment is hardened
 * as promised; the policy ConfigMap is the built-in policy; and the RBAC grants exactly the (resource, verb) pairs
 * the provider, the source, the watches and the lease election really request, no more and no less.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { V1Pod } from '@kubernetes/client-node';
import { validateSchema } from '../src/plan/intent/k8s/schema.js';
import type { Manifest } from '../src/plan/intent/k8s/manifest.js';
import { parsePolicy } from '../src/govern/policy.js';
import { FakeKubernetesApiServer, type RecordedRequest } from './fixtures/kubernetes/fake-kubernetes-api-server.js';
import { NODE_A, seedShopScenario, WEB_PODS } from './fixtures/kubernetes/shop-scenario.js';
import { clusterAccessFromKubeconfig, kubernetesProviderFromKubeconfig } from '../src/execute/providers/kubernetes/factory.js';
import { LeaseElection } from '../src/execute/providers/kubernetes/lease-election.js';
import { KubernetesSource } from '../src/monitor/kubernetes/kubernetes-source.js';
import { ResyncingWatch } from '../src/monitor/kubernetes/resync-watch.js';

const ROOT = join(import.meta.dirname, '..');
const BUNDLE = join(ROOT, 'deploy', 'kubernetes');
const KUBECTL = '/usr/bin/kubectl';

interface Rule { apiGroups: string[]; resources: string[]; verbs: string[] }
type Doc = Manifest & { kind: string; metadata: { name: string; namespace?: string } };

function bundle(): { file: string; doc: Doc }[] {
  const out: { file: string; doc: Doc }[] = [];
  for (const file of readdirSync(BUNDLE).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const d of parseAllDocuments(readFileSync(join(BUNDLE, file), 'utf8'))) {
      assert.deepEqual(d.errors, [], `${file}: YAML errors`);
      const doc = d.toJS() as Doc | null;
      if (doc) out.push({ file, doc });
    }
  }
  return out;
}

const byKind = (kind: string): Doc => {
  const d = bundle().find((b) => b.doc.kind === kind)?.doc;
  assert.ok(d, `the bundle has a ${kind}`);
  return d;
};

/** (group, resource[/subresource]) and verb of one API request, as RBAC sees it. */
function permissionOf(r: RecordedRequest): { group: string; resource: string; verb: string } | undefined {
  const parts = r.path.split('/').filter((p) => p !== '');
  let i: number;
  let group: string;
  if (parts[0] === 'api') {
    group = '';
    i = 2;
  } else {
    group = parts[1];
    i = 3;
  }
  if (parts.length <= i) return undefined; // discovery: allowed to every authenticated user
  if (parts[i] === 'namespaces' && parts.length > i + 2) i += 2;
  const resource = parts[i + 2] ? `${parts[i]}/${parts[i + 2]}` : parts[i];
  const named = parts[i + 1] !== undefined;
  const watch = r.query.get('watch') === 'true';
  const verb = r.method === 'GET' ? (watch ? 'watch' : named ? 'get' : 'list') : r.method === 'PATCH' ? 'patch' : r.method === 'POST' ? 'create' : r.method === 'PUT' ? 'update' : r.method === 'DELETE' ? 'delete' : '?';
  return { group, resource, verb };
}

function grants(rules: Rule[]): Set<string> {
  const out = new Set<string>();
  for (const r of rules) for (const g of r.apiGroups) for (const res of r.resources) for (const v of r.verbs) out.add(`${g}|${res}|${v}`);
  return out;
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('deploy/kubernetes bundle', () => {
  it('every manifest passes the kubernetes-models schemas', async () => {
    const docs = bundle();
    assert.deepEqual(docs.map((d) => `${d.doc.kind}/${d.doc.metadata.name}`), [
      'Namespace/autonomic', 'ServiceAccount/autonomic', 'ClusterRole/autonomic', 'ClusterRoleBinding/autonomic',
      'Role/autonomic-leader-election', 'RoleBinding/autonomic-leader-election', 'ConfigMap/autonomic-policy', 'Deployment/autonomic',
    ]);
    const findings = await validateSchema(docs.map((d) => d.doc));
    assert.deepEqual(findings.filter((f) => f.severity === 'error' || f.ruleId === 'SCHEMA-UNKNOWN-KIND'), []);
  });

  it('the Deployment: 2 replicas, non-root, read-only root fs, resources, probes, the run command in-cluster', () => {
    const d = byKind('Deployment') as unknown as { spec: { replicas: number; template: { spec: { serviceAccountName: string; securityContext: Record<string, unknown>; containers: unknown[] } } } };
    assert.equal(d.spec.replicas, 2);
    const pod = d.spec.template.spec;
    assert.equal(pod.serviceAccountName, 'autonomic');
    assert.equal(pod.securityContext.runAsNonRoot, true);
    const [c] = pod.containers as unknown as { args: string[]; securityContext: Record<string, unknown>; resources: { requests: Record<string, string>; limits: Record<string, string> }; livenessProbe: unknown; readinessProbe: unknown }[];
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.equal(c.securityContext.allowPrivilegeEscalation, false);
    assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory);
    assert.ok(c.livenessProbe && c.readinessProbe);
    assert.deepEqual(c.args.slice(0, 4), ['run', '--source=kubernetes', '--provider=kubernetes', '--mode=auto']);
    assert.ok(c.args.includes('--ha'));
  });

  it('the policy ConfigMap is policies/default.yaml verbatim, and a valid policy', () => {
    const cm = byKind('ConfigMap') as unknown as { data: Record<string, string> };
    const builtin = readFileSync(join(ROOT, 'policies', 'default.yaml'), 'utf8');
    assert.equal(cm.data['policy.yaml'], builtin);
    assert.doesNotThrow(() => parsePolicy(cm.data['policy.yaml'], 'ConfigMap autonomic-policy'));
  });

  it('kubectl parses every manifest offline (annotate --local)', (t) => {
    if (!existsSync(KUBECTL)) return t.skip(`no kubectl at ${KUBECTL}`);
    const r = spawnSync(KUBECTL, ['annotate', '--local', '-f', BUNDLE, 'autonomic.io/checked=true', '--dry-run=client', '-o', 'name'], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/dev/null' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 8, r.stdout);
  });

  it('kubectl apply --dry-run=client accepts the folder (discovery from a fake API server)', async (t) => {
    if (!existsSync(KUBECTL)) return t.skip(`no kubectl at ${KUBECTL}`);
    // Client dry-run still needs the server's discovery to map kinds to resources: without a server it cannot run.
    const fake = await new FakeKubernetesApiServer().start();
    try {
      const kubeconfig = fake.writeKubeconfig();
      const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        // Asynchronous: the fake server answers on this event loop.
        import('node:child_process').then(({ execFile }) => {
          execFile(KUBECTL, ['--kubeconfig', kubeconfig, 'apply', '--dry-run=client', '-f', BUNDLE, '--validate=false', '-o', 'name'], { encoding: 'utf8', env: { ...process.env, HOME: join(kubeconfig, '..') } }, (err, stdout, stderr) => {
            resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
          });
        }, (e: unknown) => resolve({ status: 1, stdout: '', stderr: String(e) }));
      });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n'), [
        'namespace/autonomic', 'serviceaccount/autonomic', 'clusterrole.rbac.authorization.k8s.io/autonomic',
        'clusterrolebinding.rbac.authorization.k8s.io/autonomic', 'role.rbac.authorization.k8s.io/autonomic-leader-election',
        'rolebinding.rbac.authorization.k8s.io/autonomic-leader-election', 'configmap/autonomic-policy', 'deployment.apps/autonomic',
      ]);
      assert.equal(fake.requests.filter((q) => q.method !== 'GET').length, 0, 'a client dry run writes nothing');
    } finally {
      await fake.stop();
    }
  });

  it('RBAC grants exactly the (resource, verb) pairs the code requests', async () => {
    const clusterRole = byKind('ClusterRole') as unknown as { rules: Rule[] };
    const role = byKind('Role') as unknown as { rules: Rule[] };
    assert.ok(role.rules.every((r) => r.apiGroups.includes('coordination.k8s.io') && r.resources.join() === 'leases'), 'the namespaced Role covers leases only');
    const granted = grants([...clusterRole.rules, ...role.rules]);

    const fake = await new FakeKubernetesApiServer().start();
    try {
      seedShopScenario(fake, { disruptionsAllowed: 0 });
      const kubeconfig = fake.writeKubeconfig('default');
      const api = clusterAccessFromKubeconfig(kubeconfig);
      // Read side: one snapshot (lists, metrics, log tails) and the inventory.
      const source = new KubernetesSource(api, {}, () => Date.parse('2024-05-02T09:17:00Z'));
      await source.snapshot();
      await source.inventory();
      // Watches with resync on pods, Deployments and events.
      for (const [path, list] of [
        ['/api/v1/namespaces/default/pods', () => api.core.listNamespacedPod({ namespace: 'default' })],
        ['/apis/apps/v1/namespaces/default/deployments', () => api.apps.listNamespacedDeployment({ namespace: 'default' })],
        ['/api/v1/namespaces/default/events', () => api.core.listNamespacedEvent({ namespace: 'default' })],
      ] as const) {
        fake.scriptWatch(path, [{ end: true }]);
        const w = new ResyncingWatch<V1Pod>({ watch: api.watch, path, list: list as () => Promise<{ items: V1Pod[] }>, backoffMs: 5 });
        await w.start();
        await until(`a watch on ${path}`, () => w.watches >= 1 && fake.requests.some((q) => q.path === path && q.query.get('watch') === 'true'));
        w.stop();
      }
      // Write side: every action, a blocked drain (names its budget), server dry-run is not part of the bundle's rights.
      const provider = kubernetesProviderFromKubeconfig(kubeconfig, { conflictBackoffMs: 1, evictionBackoffMs: 10, drainDeadlineMs: 30 });
      for (const a of [
        { kind: 'scale', service: 'web', from: 3, to: 4 },
        { kind: 'restart-pod', service: 'web' },
        { kind: 'restart-pod', service: 'web', pod: WEB_PODS[2] },
        { kind: 'rollback', service: 'web' },
        { kind: 'cordon-drain', node: NODE_A },
      ] as const) await provider.apply(a);
      // Leader election: create, read, renew (update).
      const election = new LeaseElection(api, { name: 'autonomic-leader', namespace: 'autonomic', id: 'a', renewMs: 10 });
      assert.equal(await election.tryAcquire(), true);
      const before = fake.requestsTo('PUT', '/leases/').length;
      await until('a renewal', () => fake.requestsTo('PUT', '/leases/').length > before);
      election.stepDown('done');
      const b = new LeaseElection(api, { name: 'autonomic-leader', namespace: 'autonomic', id: 'b' });
      await b.tryAcquire();
    } finally {
      await fake.stop();
    }

    const used = new Set<string>();
    for (const r of fake.requests) {
      const p = permissionOf(r);
      if (p) used.add(`${p.group}|${p.resource}|${p.verb}`);
    }
    const notGranted = [...used].filter((u) => !granted.has(u)).sort();
    const unused = [...granted].filter((g) => !used.has(g)).sort();
    assert.deepEqual(notGranted, [], 'requests the bundle would forbid');
    assert.deepEqual(unused, [], 'grants no code path uses');
  });
});
