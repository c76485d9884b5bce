/**
 * The Ansible bundle that turns the planned VMs into a k3s cluster, shaped like the community
 * k3s-ansible playbooks: prerequisites on every node, the first server starts embedded etcd
 * (--cluster-init) behind the kube-vip API address, the other servers join through that address,
 * agents join, then MetalLB gets the plan's address pool and the playbook waits for every node.
 *
 * Everything that depends on the plan's machines is in the inventory and group_vars; site.yml only
 * changes with the cluster's shape (HA or not, with a pool or not), so adding a worker adds
 * inventory lines and nothing else.
 */
import { UserError } from '../../../core/errors.js';
import type { ArtefactFile } from '../artefact.js';
import type { PlannedVm, VmPlan } from '../vm/vm-plan.js';
import { isAddressPool, isDnsName, isIpv4, staticAddress } from './address.js';
import { writeInventory, type InventoryHost } from './inventory.js';
import { kubeVipManifest, metallbChartManifest, metallbPoolManifest } from './k3s-manifests.js';
import { yamlText } from './yaml-text.js';

/** Pinned so a rerun next month installs the same cluster. */
export const K3S_VERSION = 'v1.31.4+k3s1';
export const KUBE_VIP_VERSION = 'v0.8.7';
export const METALLB_CHART_VERSION = '0.14.8';

const MANIFESTS = '/var/lib/rancher/k3s/server/manifests';
const INSTALLER = '/usr/local/bin/k3s-install.sh';

interface ClusterShape {
  /** Embedded etcd (--cluster-init): more than one server, or a VIP to grow behind. */
  ha: boolean;
  vip?: string;
  pool?: string;
}

function hostOf(vm: PlannedVm): InventoryHost {
  const address = staticAddress(vm.ipv4, `VM ${vm.name}`);
  if (address) return { name: vm.name, address };
  return { name: vm.name, note: `${vm.name} uses DHCP: set ansible_host to its leased address (Proxmox shows it via the guest agent),\nor leave it unset if "${vm.name}" resolves in DNS.` };
}

function checkPlan(plan: VmPlan): { servers: PlannedVm[]; agents: PlannedVm[]; shape: ClusterShape } {
  if (!plan.feasible) throw new UserError(`the VM plan is not feasible (${plan.detail}); there are no VMs to install k3s on`, 'vm plan');
  if (!plan.cluster) throw new UserError('the VM plan describes no cluster: k3s needs control-plane and worker roles', 'vm plan');
  const servers = plan.vms.filter((v) => v.role === 'control-plane');
  const agents = plan.vms.filter((v) => v.role === 'worker');
  if (servers.length === 0) throw new UserError('the VM plan has no control-plane VM to run the k3s server', 'vm plan');
  for (const vm of plan.vms) if (!isDnsName(vm.name) || vm.name.includes('.')) throw new UserError(`"${vm.name}" is not a DNS label`, `vm plan: VM ${vm.name}`);
  if (!/^[a-z_][a-z0-9_-]*$/i.test(plan.user)) throw new UserError(`"${plan.user}" is not a valid login name`, 'vm plan: user');
  const { apiVip, lbAddressPool } = plan.cluster;
  if (apiVip !== undefined && !isIpv4(apiVip)) throw new UserError(`"${apiVip}" is not an IPv4 address`, 'vm plan: cluster.apiVip');
  if (lbAddressPool !== undefined && !isAddressPool(lbAddressPool)) throw new UserError(`"${lbAddressPool}" is neither a "first-last" IPv4 range nor a CIDR`, 'vm plan: cluster.lbAddressPool');
  return { servers, agents, shape: { ha: servers.length > 1 || apiVip !== undefined, vip: apiVip, pool: lbAddressPool } };
}

function inventory(plan: VmPlan, servers: PlannedVm[], agents: PlannedVm[]): string {
  try {
    return writeInventory({
      header: 'k3s cluster inventory, generated from the Proxmox VM plan.\nk3s_servers: control-plane VMs (the first one starts the cluster); k3s_agents: workers.',
      vars: { ansible_user: plan.user },
      parent: 'k3s_cluster',
      groups: [
        { name: 'k3s_servers', hosts: servers.map(hostOf) },
        { name: 'k3s_agents', hosts: agents.map(hostOf) },
      ],
    });
  } catch (e) {
    throw new UserError(e instanceof Error ? e.message : String(e), 'vm plan');
  }
}

function groupVars(shape: ClusterShape): string {
  const vars: Record<string, unknown> = {
    k3s_version: K3S_VERSION,
    // Never a literal: export K3S_TOKEN (e.g. `openssl rand -hex 32`) or override it from ansible-vault.
    k3s_token: "{{ lookup('ansible.builtin.env', 'K3S_TOKEN') }}",
    k3s_server_url: shape.vip ? 'https://{{ k3s_api_vip }}:6443' : "https://{{ hostvars[groups['k3s_servers'][0]]['ansible_host'] | default(groups['k3s_servers'][0]) }}:6443",
    k3s_prerequisite_packages: ['curl', 'ca-certificates'],
  };
  if (shape.vip) Object.assign(vars, { k3s_api_vip: shape.vip, kube_vip_version: KUBE_VIP_VERSION, kube_vip_interface: "{{ ansible_facts['default_ipv4']['interface'] }}" });
  if (shape.pool) Object.assign(vars, { metallb_version: METALLB_CHART_VERSION, metallb_address_pool: shape.pool });
  return yamlText(
    vars,
    'Cluster-wide settings for site.yml, generated from the VM plan.\nThe join token is never stored here: export K3S_TOKEN before running the playbook, or set k3s_token from ansible-vault.',
  );
}

const install = (exec: string) => ({
  name: 'Install k3s',
  'ansible.builtin.command': { cmd: INSTALLER, creates: '/usr/local/bin/k3s' },
  environment: { INSTALL_K3S_VERSION: '{{ k3s_version }}', INSTALL_K3S_EXEC: exec, K3S_TOKEN: '{{ k3s_token }}' },
  // The environment holds the join token.
  no_log: true,
});

const downloadInstaller = {
  name: 'Download the k3s install script',
  'ansible.builtin.get_url': { url: 'https://get.k3s.io', dest: INSTALLER, mode: '0755', timeout: 120 },
};

const waitForThisNode = {
  name: 'Wait until this node is Ready',
  'ansible.builtin.command': { cmd: "k3s kubectl wait --for=condition=Ready node/{{ ansible_facts['nodename'] }} --timeout=30s" },
  register: 'k3s_node_ready',
  until: 'k3s_node_ready.rc == 0',
  retries: 20,
  delay: 10,
  changed_when: false,
};

function serverArgs(shape: ClusterShape, first: boolean): string {
  const args = ['server'];
  if (first && shape.ha) args.push('--cluster-init');
  if (!first) args.push(shape.vip ? '--server https://{{ k3s_api_vip }}:6443' : '--server {{ k3s_server_url }}');
  if (shape.vip) args.push('--tls-san {{ k3s_api_vip }}');
  // MetalLB answers for LoadBalancer Services instead of k3s's built-in servicelb.
  if (shape.pool) args.push('--disable servicelb');
  return args.join(' ');
}

function playbook(shape: ClusterShape): string {
  const plays: unknown[] = [
    {
      name: 'Prepare every k3s node',
      hosts: 'k3s_cluster',
      become: true,
      gather_facts: true,
      tasks: [
        {
          name: 'Check the cluster token is set',
          'ansible.builtin.assert': { that: ['k3s_token | length > 0'], fail_msg: 'k3s_token is empty: export K3S_TOKEN (e.g. `openssl rand -hex 32`) or set it from ansible-vault', quiet: true },
          run_once: true,
        },
        { name: 'Install the packages k3s needs', 'ansible.builtin.package': { name: '{{ k3s_prerequisite_packages }}', state: 'present' } },
        {
          name: 'Enable IP forwarding',
          'ansible.builtin.copy': { dest: '/etc/sysctl.d/90-k3s.conf', content: 'net.ipv4.ip_forward = 1\nnet.ipv6.conf.all.forwarding = 1\n', owner: 'root', group: 'root', mode: '0644' },
          notify: 'Reload sysctl',
        },
        {
          name: 'Turn swap off',
          'ansible.builtin.command': { cmd: 'swapoff -a' },
          when: "ansible_facts['swaptotal_mb'] | int > 0",
          changed_when: true,
        },
        {
          name: 'Keep swap off after a reboot',
          'ansible.builtin.replace': { path: '/etc/fstab', regexp: '^([^#\\s]\\S*\\s+\\S+\\s+swap\\s.*)$', replace: '# \\1' },
        },
        downloadInstaller,
      ],
      handlers: [{ name: 'Reload sysctl', 'ansible.builtin.command': { cmd: 'sysctl --system' }, changed_when: true }],
    },
  ];

  const firstTasks: unknown[] = [];
  if (shape.vip || shape.pool) firstTasks.push({ name: 'Create the k3s auto-deploy manifest directory', 'ansible.builtin.file': { path: MANIFESTS, state: 'directory', owner: 'root', group: 'root', mode: '0755' } });
  if (shape.vip) firstTasks.push({ name: 'Deploy kube-vip for the API address', 'ansible.builtin.copy': { dest: `${MANIFESTS}/kube-vip.yaml`, content: kubeVipManifest(), owner: 'root', group: 'root', mode: '0600' } });
  if (shape.pool) firstTasks.push({ name: 'Deploy MetalLB', 'ansible.builtin.copy': { dest: `${MANIFESTS}/metallb.yaml`, content: metallbChartManifest(), owner: 'root', group: 'root', mode: '0600' } });
  firstTasks.push(install(serverArgs(shape, true)), waitForThisNode);
  if (shape.vip)
    firstTasks.push({ name: 'Wait for the API on the virtual IP', 'ansible.builtin.wait_for': { host: '{{ k3s_api_vip }}', port: 6443, timeout: 300 } });
  plays.push({ name: shape.ha ? 'Start the cluster on the first server (embedded etcd)' : 'Start the k3s server', hosts: 'k3s_servers[0]', become: true, tasks: firstTasks });

  if (shape.ha)
    plays.push({
      name: shape.vip ? 'Join the other servers through the API virtual IP' : 'Join the other servers',
      hosts: 'k3s_servers[1:]',
      become: true,
      // One at a time: etcd keeps quorum while a member joins.
      serial: 1,
      tasks: [install(serverArgs(shape, false)), waitForThisNode],
    });

  plays.push({
    name: 'Join the agents',
    hosts: 'k3s_agents',
    become: true,
    tasks: [install('agent --server {{ k3s_server_url }}'), { name: 'Keep the k3s agent running', 'ansible.builtin.systemd': { name: 'k3s-agent', state: 'started', enabled: true } }],
  });

  const checks: unknown[] = [
    {
      name: 'Wait until every node is Ready',
      'ansible.builtin.command': { cmd: 'k3s kubectl get nodes --no-headers' },
      register: 'k3s_nodes',
      until: "(k3s_nodes.stdout_lines | select('search', ' Ready') | list | length) == (groups['k3s_cluster'] | length)",
      retries: 30,
      delay: 10,
      changed_when: false,
    },
  ];
  if (shape.pool)
    checks.push(
      {
        name: 'Wait for the MetalLB controller',
        'ansible.builtin.command': { cmd: 'k3s kubectl -n metallb-system wait --for=condition=Available deployment/metallb-controller --timeout=30s' },
        register: 'metallb_ready',
        until: 'metallb_ready.rc == 0',
        retries: 30,
        delay: 10,
        changed_when: false,
      },
      { name: 'Write the MetalLB address pool', 'ansible.builtin.copy': { dest: '/etc/rancher/k3s/metallb-pool.yaml', content: metallbPoolManifest(), owner: 'root', group: 'root', mode: '0600' } },
      {
        name: 'Apply the MetalLB address pool',
        'ansible.builtin.command': { cmd: 'k3s kubectl apply -f /etc/rancher/k3s/metallb-pool.yaml' },
        register: 'metallb_pool',
        changed_when: "'created' in metallb_pool.stdout or 'configured' in metallb_pool.stdout",
      },
    );
  plays.push({ name: 'Check the cluster', hosts: 'k3s_servers[0]', become: true, tasks: checks });

  return yamlText(
    plays,
    [
      `k3s ${shape.ha ? 'HA cluster (embedded etcd)' : 'single-server cluster'}: ansible-playbook -i inventory.yml site.yml`,
      'Needs K3S_TOKEN in the environment (or k3s_token from ansible-vault); machine-specific values live in inventory.yml and group_vars/.',
    ].join('\n'),
  );
}

/** inventory.yml, group_vars/all.yml and site.yml for a k3s cluster on the planned VMs. */
export function buildK3sAnsible(plan: VmPlan): ArtefactFile[] {
  const { servers, agents, shape } = checkPlan(plan);
  return [
    { path: 'ansible/inventory.yml', kind: 'ansible-inventory', content: inventory(plan, servers, agents) },
    { path: 'ansible/group_vars/all.yml', kind: 'ansible-vars', content: groupVars(shape) },
    { path: 'ansible/site.yml', kind: 'ansible-playbook', content: playbook(shape) },
  ];
}
