import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findGrowth, findSshKeys, findVmIntent, findVmName } from '../src/plan/intent/parse/proxmox.js';
import { VmIntentSchema } from '../src/plan/intent/spec.js';

const HA_K3S = 'create a highly available k3s cluster on Proxmox: 3 control-plane and 2 worker VMs from template 100, API on a virtual IP 192.168.1.100, a load-balancer address pool 192.168.1.240-192.168.1.250';
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

test('seed: a single webserver from a template has a name but nothing VM-specific', () => {
  const prose = 'create a webserver based on template vm id 100';
  assert.equal(findVmIntent(prose), undefined);
  assert.equal(findVmName(prose), 'webserver');
});

test('seed: the highly available k3s cluster with roles, VIP and pool', () => {
  const vm = findVmIntent(HA_K3S);
  assert.deepEqual(vm, {
    cluster: { distribution: 'k3s', controlPlanes: 3, workers: 2, apiVip: '192.168.1.100', lbAddressPool: '192.168.1.240-192.168.1.250' },
  });
  // The VIP and pool are the cluster's, never the first VM address.
  assert.equal(vm?.ipv4, undefined);
  assert.equal(findVmName(HA_K3S), 'k3s');
  // What the parser returns is valid input of the spec's schema.
  assert.ok(VmIntentSchema.safeParse(vm).success);
});

test('seed: "add one more worker to that cluster" is growth, not a new cluster', () => {
  assert.deepEqual(findVmIntent('add one more worker to that cluster'), { grow: { role: 'worker', count: 1 } });
  assert.deepEqual(findVmIntent('add two workers'), { grow: { role: 'worker', count: 2 } });
  assert.deepEqual(findGrowth('please add another control plane'), { role: 'control-plane', count: 1 });
  assert.deepEqual(findGrowth('add 2 more VMs'), { role: 'vm', count: 2 });
  assert.equal(findGrowth('create three workers'), undefined);
});

test('cluster roles in other words: masters and nodes, servers and agents, a virtual IP without an address', () => {
  assert.deepEqual(findVmIntent('three masters and two nodes running k3s')?.cluster, { distribution: 'k3s', controlPlanes: 3, workers: 2 });
  assert.deepEqual(findVmIntent('a k3s cluster with 3 servers and 2 agents, MetalLB pool 10.0.0.240/28')?.cluster, { distribution: 'k3s', controlPlanes: 3, workers: 2, lbAddressPool: '10.0.0.240/28' });
  const vipless = findVmIntent('a highly available k3s cluster with the API on a virtual IP');
  assert.ok(vipless?.cluster);
  assert.equal(vipless.cluster.apiVip, undefined);
  assert.equal(vipless.cluster.controlPlanes, 3);
  assert.equal(findVmIntent('192.168.1.100 as the VIP for a k3s cluster')?.cluster?.apiVip, '192.168.1.100');
});

test('plain VMs: count, storage, network, static addresses, login, keys and packages', () => {
  const vm = findVmIntent(`create two VMs called web01 on local-lvm, bridge vmbr1, VLAN 20, static IPs starting at 10.0.0.51/24, gateway 10.0.0.1, user deploy, ssh key ${KEY} alice@laptop and nginx installed`);
  assert.deepEqual(vm, {
    count: 2,
    datastore: 'local-lvm',
    bridge: 'vmbr1',
    vlan: 20,
    ipv4: '10.0.0.51/24',
    gateway: '10.0.0.1',
    user: 'deploy',
    sshKeys: [`${KEY} alice@laptop`],
    packages: ['nginx'],
  });
  const other = findVmIntent('3 web servers with nginx and htop installed, storage ceph-pool, dhcp, DNS 1.1.1.1');
  assert.equal(other?.count, 3);
  assert.equal(other?.datastore, 'ceph-pool');
  assert.equal(other?.ipv4, 'dhcp');
  assert.deepEqual(other?.packages, ['nginx', 'htop']);
  assert.equal(findVmName('3 web servers with nginx installed'), 'web');
  assert.equal(findVmName('a VM called web01'), 'web01');
  assert.equal(findVmIntent('two VMs with password login disabled')?.user, undefined);
  assert.equal(findVmIntent('one VM, log in as admin')?.user, 'admin');
  // "3 servers" without a cluster word are three VMs, not three control planes.
  assert.deepEqual(findVmIntent('create 3 servers from template 9000'), { count: 3 });
});

test('SSH keys: the comment is kept only when it looks like one', () => {
  assert.deepEqual(findSshKeys(`keys ${KEY} and ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 bob@host`), [KEY, 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 bob@host']);
  assert.deepEqual(findSshKeys('no key here: ssh-ed25519 is a key type'), []);
});
