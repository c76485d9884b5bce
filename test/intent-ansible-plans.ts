/** VmPlan fixtures for the Ansible tests, written by hand (the planner is tested on its own). */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { PlannedVm, VmPlan } from '../src/plan/intent/vm/vm-plan.js';

export function vm(name: string, role: PlannedVm['role'], ipv4: string, vmid = 200): PlannedVm {
  return { name, role, vmid, node: 'pve1', cores: 2, memoryMiB: 4096, diskGiB: 32, ipv4 };
}

/** `servers` control planes then `workers` workers, addresses counting up from 192.168.1.51/24. */
export function k3sPlan(servers: number, workers: number, cluster: { apiVip?: string; lbAddressPool?: string } = {}): VmPlan {
  const vms: PlannedVm[] = [];
  for (let i = 0; i < servers; i++) vms.push(vm(`k3s-cp-${i + 1}`, 'control-plane', `192.168.1.${51 + i}/24`, 201 + i));
  for (let i = 0; i < workers; i++) vms.push(vm(`k3s-worker-${i + 1}`, 'worker', `192.168.1.${61 + i}/24`, 211 + i));
  return {
    template: '9000',
    datastore: 'local-lvm',
    bridge: 'vmbr0',
    gateway: '192.168.1.1',
    user: 'ubuntu',
    sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample admin@example'],
    packages: ['qemu-guest-agent'],
    vms,
    cluster: { distribution: 'k3s', ...cluster },
    decisions: [],
    feasible: true,
    detail: '',
  };
}

export const HA = { apiVip: '192.168.1.100', lbAddressPool: '192.168.1.240-192.168.1.250' };

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => {
    try {
      accessSync(join(d, bin), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** node:test `skip` value: false when the real ansible-playbook is here, else why the test cannot run. */
export const needsAnsible: false | string = onPath('ansible-playbook') ? false : 'ansible-playbook is not installed (Debian: apt-get install ansible); the real syntax check cannot run';
