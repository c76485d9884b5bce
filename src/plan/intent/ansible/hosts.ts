/**
 * The Ansible bundle for "configure these hosts": an inventory of the named hosts (or the named
 * group, to be filled in), the packages and services as group variables, and one play that
 * installs the packages and enables and starts the services. Every name is checked before it is
 * written: a package or service name reaches the play as a Jinja value, so "{{ lookup('pipe', ...) }}"
 * smuggled in as a "package" would run on the controller.
 */
import { UserError } from '../../../core/errors.js';
import type { ArtefactFile } from '../artefact.js';
import type { IntentSpec } from '../spec.js';
import { isHostAddress } from './address.js';
import { writeInventory, type InventoryGroup } from './inventory.js';
import { yamlText } from './yaml-text.js';

const PACKAGE = /^[a-z0-9][a-z0-9+._-]*$/i;
const SERVICE = /^[a-z0-9][a-z0-9@._-]*$/i;
/** Ansible warns about (and may reject) group names that are not Python identifiers. */
const GROUP = /^[a-z_][a-z0-9_]*$/i;

function groupName(raw: string, where: string): string {
  const name = raw.replace(/-/g, '_');
  if (!GROUP.test(name)) throw new UserError(`"${raw}" is not a usable inventory group name (letters, digits and underscores)`, where);
  return name;
}

function checkNames(list: readonly string[], re: RegExp, what: string, where: string): void {
  list.forEach((x, i) => {
    if (!re.test(x)) throw new UserError(`"${x}" is not a ${what} name`, `${where}[${i}]`);
  });
}

export function buildHostsAnsible(spec: IntentSpec): ArtefactFile[] {
  if (spec.target !== 'ansible') throw new UserError(`the request targets ${spec.target}, not existing hosts through Ansible`, 'spec.target');
  const hosts = spec.hosts;
  if (!hosts || (hosts.hosts.length === 0 && hosts.group === undefined)) throw new UserError('the request names no hosts and no inventory group to configure', 'spec.hosts');
  checkNames(hosts.packages, PACKAGE, 'package', 'spec.hosts.packages');
  checkNames(hosts.services, SERVICE, 'service', 'spec.hosts.services');
  hosts.hosts.forEach((h, i) => {
    if (!isHostAddress(h.name)) throw new UserError(`"${h.name}" is neither a DNS name nor an IPv4 address`, `spec.hosts.hosts[${i}].name`);
    if (h.address !== undefined && !isHostAddress(h.address)) throw new UserError(`"${h.address}" is neither a DNS name nor an IPv4 address`, `spec.hosts.hosts[${i}].address`);
  });

  const target = groupName(hosts.group ?? spec.name ?? 'managed', hosts.group !== undefined ? 'spec.hosts.group' : 'spec.name');
  const entry = (h: (typeof hosts.hosts)[number]) => ({ name: h.name, ...(h.address !== undefined && h.address !== h.name ? { address: h.address } : {}) });
  const groups: InventoryGroup[] = [
    {
      name: target,
      hosts: hosts.hosts.map(entry),
      ...(hosts.hosts.length === 0 ? { note: `The request named group ${target} but no hosts: list them under "hosts:" (name: then ansible_host:).` } : {}),
    },
  ];
  // Other groups the hosts belong to, so plays written later can target them too.
  for (const extra of [...new Set(hosts.hosts.flatMap((h) => h.groups.map((g) => groupName(g, 'spec.hosts.hosts[].groups'))))].filter((g) => g !== target))
    groups.push({ name: extra, hosts: hosts.hosts.filter((h) => h.groups.some((g) => groupName(g, '') === extra)).map(entry) });

  const inventory = writeInventory({ header: `Hosts to configure, generated from the request. Play target: group ${target}.`, vars: {}, groups });
  const vars = yamlText(
    { managed_packages: hosts.packages, managed_services: hosts.services },
    `What site.yml installs and runs on group ${target}.\nmanaged_packages: installed (state present); managed_services: enabled at boot and started.`,
  );
  const site = yamlText(
    [
      {
        name: `Configure the hosts in group ${target}`,
        hosts: target,
        become: true,
        tasks: [
          { name: 'Install the requested packages', 'ansible.builtin.package': { name: '{{ managed_packages }}', state: 'present' }, when: 'managed_packages | length > 0' },
          { name: 'Enable and start the requested services', 'ansible.builtin.service': { name: '{{ item }}', state: 'started', enabled: true }, loop: '{{ managed_services }}' },
        ],
      },
    ],
    'Configure existing hosts: ansible-playbook -i inventory.yml site.yml',
  );
  return [
    { path: 'ansible/inventory.yml', kind: 'ansible-inventory', content: inventory },
    { path: `ansible/group_vars/${target}.yml`, kind: 'ansible-vars', content: vars },
    { path: 'ansible/site.yml', kind: 'ansible-playbook', content: site },
  ];
}
