import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TwinCluster } from '../src/execute/twin/cluster.js';
import { GuardrailPolicySchema } from '../src/govern/policy.js';
import { applyAnswers, clarify } from '../src/plan/intent/clarify.js';
import { inventoryFromSnapshot, StaticInventory } from '../src/plan/intent/inventory.js';
import { parseIntent } from '../src/plan/intent/parse.js';
import { runIntentPipeline } from '../src/plan/intent/pipeline.js';

function twinInventory() {
  const twin = new TwinCluster({ seed: 1, nodePools: [{ instanceType: 'm5.xlarge', count: 3, spot: false }], services: [{ name: 'web', replicas: 2 }] });
  return inventoryFromSnapshot(twin.snapshotNow(), { namespaces: ['default', 'shop'], images: ['nginx:1.25', 'httpd:2.4', 'redis:7.2'], storageClasses: [{ name: 'standard', isDefault: true }, { name: 'fast', isDefault: false }] });
}

const policy = GuardrailPolicySchema.parse({ services: { '*': { minReplicas: 1, maxReplicas: 10 } } });

test('a missing image is asked for, with the real images as options', () => {
  const q = clarify(parseIntent('Run a web server with 2 replicas').spec, { inventory: twinInventory(), policy });
  const image = q.find((x) => x.id === 'image');
  assert.ok(image?.blocking);
  assert.deepEqual(image.options, ['nginx:1.25', 'httpd:2.4']);
});

test('an unknown image gets the list of real ones', () => {
  const q = clarify(parseIntent('Deploy nginxx:1.0 named site').spec, { inventory: twinInventory(), policy });
  const image = q.find((x) => x.id === 'image');
  assert.equal(image?.reason, 'not-found');
  assert.deepEqual(image?.options, ['nginx:1.25', 'httpd:2.4', 'redis:7.2']);
});

test('negative replicas and 1,000 cores get clear questions bounded by the twin and the policy', () => {
  const q = clarify(parseIntent('Deploy nginx:1.25 named site with -2 replicas and 1,000 cores').spec, { inventory: twinInventory(), policy });
  const replicas = q.find((x) => x.id === 'replicas');
  assert.equal(replicas?.reason, 'out-of-range');
  assert.match(replicas!.question, /1–10/);
  const cores = q.find((x) => x.id === 'cores');
  assert.equal(cores?.reason, 'out-of-range');
  // m5.xlarge: 4 vCPU, minus kube-reserved: the largest node has a bit under 4 cores.
  assert.match(cores!.question, /largest node has \(3\.\d+\)/);
  assert.ok(cores!.options.every((o) => Number(o) <= 3));
});

test('replicas beyond the guardrail bounds are refused by policy', () => {
  const q = clarify(parseIntent('Deploy nginx:1.25 named site with 50 replicas').spec, { inventory: twinInventory(), policy });
  const r = q.find((x) => x.id === 'replicas');
  assert.equal(r?.reason, 'policy');
  assert.deepEqual(r?.options, ['1', '10']);
});

test('unknown namespace and storage class list the existing ones', () => {
  const q = clarify(parseIntent('Deploy redis:7.2 named cache in namespace payments with a 5Gi volume at /data on storage class gold').spec, { inventory: twinInventory(), policy });
  assert.deepEqual(q.find((x) => x.id === 'namespace')?.options, ['create', 'default', 'shop']);
  assert.deepEqual(q.find((x) => x.id === 'storageClass')?.options, ['standard', 'fast']);
});

test('Proxmox: template, name and node questions list real templates and nodes', () => {
  const inv = new StaticInventory({
    templates: [{ id: '100', name: 'debian-12' }, { id: '101', name: 'ubuntu-24.04' }],
    nodes: [
      { name: 'pve1', ready: true, cpuAllocatableMillis: 16000, memoryAllocatableMiB: 65536, cpuFreeMillis: 4000, memoryFreeMiB: 8192 },
      { name: 'pve2', ready: true, cpuAllocatableMillis: 16000, memoryAllocatableMiB: 65536, cpuFreeMillis: 12000, memoryFreeMiB: 32768 },
    ],
  });
  const q = clarify(parseIntent('create a webserver based on template vm id 100').spec, { inventory: inv, policy });
  // "a webserver" implies a name: offered for confirmation, not demanded.
  assert.ok(q.some((x) => x.id === 'name' && !x.blocking && x.suggested === 'webserver'));
  assert.ok(q.some((x) => x.id === 'sshKey' && x.blocking), 'cloud-init needs a public key to log in');
  assert.ok(q.some((x) => x.id === 'cores') && q.some((x) => x.id === 'memory'), 'size is asked for');
  const node = q.find((x) => x.id === 'node');
  assert.equal(node?.suggested, 'pve2');
  assert.match(node!.options[0], /^pve2 \(12\.0 cores/);
  const bad = clarify(parseIntent('create a VM named x from template 999').spec, { inventory: inv, policy });
  assert.deepEqual(bad.find((x) => x.id === 'template')?.options, ['100 (debian-12)', '101 (ubuntu-24.04)']);
});

test('answers fold back in and the session resumes to artefacts', async () => {
  const inventory = twinInventory();
  const first = await runIntentPipeline('Run a web server named site with 2 replicas', { inventory, policy });
  assert.equal(first.status, 'needs-answers');
  assert.equal(first.artefacts.length, 0);
  const second = await runIntentPipeline('Run a web server named site with 2 replicas', { inventory, policy, answers: { image: 'nginx:1.25' } });
  assert.equal(second.status, 'ready');
  assert.equal(second.spec.image, 'nginx:1.25');
  assert.ok(second.artefacts.some((m) => m.kind === 'Deployment'));
  const spec = applyAnswers(parseIntent('Deploy nginx:1.25 with -2 replicas').spec, { replicas: 'three' });
  assert.equal(spec.replicas, 3);
});

test('privilege asks need an explicit keep; without it they are withheld', async () => {
  const text = 'Deploy a DaemonSet named agent with image acme/agent:1.0 that uses the host network';
  const dropped = await runIntentPipeline(text, { policy });
  assert.ok(dropped.questions.some((q) => q.id === 'privilege'));
  assert.deepEqual(dropped.withheld, ['hostNetwork']);
  assert.ok(!dropped.yaml.includes('hostNetwork'));
  const kept = await runIntentPipeline(text, { policy, answers: { privilege: 'keep' } });
  assert.match(kept.yaml, /hostNetwork: true/);
  assert.ok(kept.approvalRequired);
  assert.ok(kept.findings.some((f) => f.ruleId === 'K8S-008' && f.waived));
});
