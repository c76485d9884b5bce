import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { UserError } from '../src/core/errors.js';
import type { ArtefactFile } from '../src/plan/intent/artefact.js';
import { buildK3sAnsible, K3S_VERSION } from '../src/plan/intent/ansible/k3s.js';
import { validateAnsible } from '../src/plan/intent/ansible/validate.js';
import { HA, k3sPlan, needsAnsible, vm } from './intent-ansible-plans.js';

const file = (files: ArtefactFile[], path: string) => {
  const f = files.find((x) => x.path === path);
  assert.ok(f, `${path} is in the bundle`);
  return f;
};

/** The lines of `after` that are not in `before`, when `after` only adds lines to `before`; undefined otherwise. */
function addedLines(before: string, after: string): string[] | undefined {
  const a = before.split('\n');
  const b = after.split('\n');
  const added: string[] = [];
  let i = 0;
  for (const line of b) {
    if (i < a.length && a[i] === line) i++;
    else added.push(line);
  }
  return i === a.length ? added : undefined;
}

interface Play {
  name: string;
  hosts: string;
  tasks: Record<string, unknown>[];
}

test('HA k3s (3 servers, 2 workers, VIP, pool): inventory groups, vars and plays shaped like k3s-ansible', () => {
  const files = buildK3sAnsible(k3sPlan(3, 2, HA));
  assert.deepEqual(
    files.map((f) => [f.path, f.kind]),
    [
      ['ansible/inventory.yml', 'ansible-inventory'],
      ['ansible/group_vars/all.yml', 'ansible-vars'],
      ['ansible/site.yml', 'ansible-playbook'],
    ],
  );
  const inv = parse(file(files, 'ansible/inventory.yml').content);
  assert.equal(inv.all.vars.ansible_user, 'ubuntu');
  const groups = inv.all.children.k3s_cluster.children;
  assert.deepEqual(Object.keys(groups.k3s_servers.hosts), ['k3s-cp-1', 'k3s-cp-2', 'k3s-cp-3']);
  assert.deepEqual(Object.keys(groups.k3s_agents.hosts), ['k3s-worker-1', 'k3s-worker-2']);
  assert.equal(groups.k3s_servers.hosts['k3s-cp-1'].ansible_host, '192.168.1.51', 'the /24 prefix is stripped');

  const vars = parse(file(files, 'ansible/group_vars/all.yml').content);
  assert.equal(vars.k3s_version, K3S_VERSION);
  assert.match(vars.k3s_version, /^v\d+\.\d+\.\d+\+k3s\d+$/);
  assert.equal(vars.k3s_token, "{{ lookup('ansible.builtin.env', 'K3S_TOKEN') }}", 'the token is a lookup, never a literal');
  assert.equal(vars.k3s_api_vip, '192.168.1.100');
  assert.equal(vars.metallb_address_pool, '192.168.1.240-192.168.1.250');

  const site = file(files, 'ansible/site.yml').content;
  const plays = parse(site) as Play[];
  assert.deepEqual(
    plays.map((p) => p.hosts),
    ['k3s_cluster', 'k3s_servers[0]', 'k3s_servers[1:]', 'k3s_agents', 'k3s_servers[0]'],
  );
  const exec = (p: Play) => (p.tasks.find((t) => t.name === 'Install k3s')!.environment as Record<string, string>).INSTALL_K3S_EXEC;
  assert.match(exec(plays[1]), /^server --cluster-init --tls-san \{\{ k3s_api_vip \}\} --disable servicelb$/);
  assert.match(exec(plays[2]), /--server https:\/\/\{\{ k3s_api_vip \}\}:6443/);
  assert.match(exec(plays[3]), /^agent --server \{\{ k3s_server_url \}\}$/);
  assert.equal(vars.k3s_server_url, 'https://{{ k3s_api_vip }}:6443', 'agents join through the VIP too');
  assert.match(site, /kind: DaemonSet[\s\S]*ghcr\.io\/kube-vip\/kube-vip:\{\{ kube_vip_version \}\}/);
  assert.match(site, /kind: IPAddressPool[\s\S]*kind: L2Advertisement/);
  assert.match(site, /swapoff -a/);
  assert.match(site, /net\.ipv4\.ip_forward = 1/);
  // Nothing machine-specific in the playbook: addresses live in the inventory and group_vars.
  assert.doesNotMatch(site, /192\.168\./);
});

test('the HA build passes the real ansible-playbook --syntax-check with no rule findings', { skip: needsAnsible }, async () => {
  const findings = await validateAnsible(buildK3sAnsible(k3sPlan(3, 2, HA)));
  assert.deepEqual(findings, []);
});

test('a single server without VIP has no cluster-init, kube-vip or server-join play, and passes the real syntax check', { skip: needsAnsible }, async () => {
  const files = buildK3sAnsible(k3sPlan(1, 2));
  const plays = parse(file(files, 'ansible/site.yml').content) as Play[];
  const site = file(files, 'ansible/site.yml').content;
  assert.doesNotMatch(site, /--cluster-init|kube-vip|k3s_api_vip|metallb/i);
  assert.ok(!plays.some((p) => p.hosts === 'k3s_servers[1:]'));
  const vars = parse(file(files, 'ansible/group_vars/all.yml').content);
  assert.match(vars.k3s_server_url, /groups\['k3s_servers'\]\[0\]/, 'agents join the first server directly');
  assert.deepEqual(await validateAnsible(files), []);
});

test('a lone server with no workers still builds and passes the syntax check', { skip: needsAnsible }, async () => {
  assert.deepEqual(await validateAnsible(buildK3sAnsible(k3sPlan(1, 0))), []);
});

test('growing the plan by one worker adds inventory lines only and leaves site.yml and group_vars unchanged', () => {
  for (const [servers, workers, cluster] of [
    [3, 2, HA],
    [1, 0, {}],
  ] as const) {
    const before = buildK3sAnsible(k3sPlan(servers, workers, cluster));
    const after = buildK3sAnsible(k3sPlan(servers, workers + 1, cluster));
    const added = addedLines(file(before, 'ansible/inventory.yml').content, file(after, 'ansible/inventory.yml').content);
    assert.ok(added, `${servers}+${workers}: the new inventory only adds lines`);
    assert.deepEqual(added.map((l) => l.trim()), [`k3s-worker-${workers + 1}:`, `ansible_host: 192.168.1.${61 + workers}`]);
    assert.equal(file(after, 'ansible/site.yml').content, file(before, 'ansible/site.yml').content);
    assert.equal(file(after, 'ansible/group_vars/all.yml').content, file(before, 'ansible/group_vars/all.yml').content);
  }
});

test('a DHCP VM gets a placeholder comment instead of an address, and the bundle stays valid', { skip: needsAnsible }, async () => {
  const plan = k3sPlan(1, 1);
  plan.vms[1] = vm('k3s-worker-1', 'worker', 'dhcp');
  const files = buildK3sAnsible(plan);
  const inv = file(files, 'ansible/inventory.yml').content;
  assert.match(inv, /# k3s-worker-1 uses DHCP: set ansible_host to its leased address/);
  assert.equal(parse(inv).all.children.k3s_cluster.children.k3s_agents.hosts['k3s-worker-1'], null);
  assert.deepEqual(await validateAnsible(files), []);
});

test('plans the playbook cannot serve are refused with a located error', () => {
  const infeasible = { ...k3sPlan(3, 2, HA), feasible: false, detail: 'node pve1 has 8 GiB free, 20 GiB needed' };
  assert.throws(() => buildK3sAnsible(infeasible), (e: unknown) => e instanceof UserError && /not feasible \(node pve1 has 8 GiB free/.test(e.message));
  assert.throws(() => buildK3sAnsible({ ...k3sPlan(1, 1), cluster: undefined }), /vm plan: .*no cluster/);
  assert.throws(() => buildK3sAnsible(k3sPlan(0, 2)), /no control-plane VM/);
  assert.throws(() => buildK3sAnsible(k3sPlan(3, 0, { apiVip: '192.168.1.300' })), /cluster\.apiVip: "192\.168\.1\.300" is not an IPv4 address/);
  assert.throws(() => buildK3sAnsible(k3sPlan(3, 0, { lbAddressPool: '10.0.0.9-10.0.0.1' })), /cluster\.lbAddressPool/);
  const badAddress = k3sPlan(1, 0);
  badAddress.vms[0].ipv4 = '192.168.1/24';
  assert.throws(() => buildK3sAnsible(badAddress), /VM k3s-cp-1: "192\.168\.1\/24" is neither "dhcp" nor an IPv4 address/);
});
