/**
 * Ansible YAML inventories: writing one from groups of hosts (with comments where an address is
 * unknown), and reading the group and host names one defines so plays can be checked against it.
 */
import { Document, isPair, isScalar, type YAMLMap } from 'yaml';
import { isObj } from './tasks.js';

export interface InventoryHost {
  name: string;
  /** ansible_host; absent: Ansible connects to `name` (which must then resolve). */
  address?: string;
  /** Written as a comment above the host (why the address is missing, what to do). */
  note?: string;
}

export interface InventoryGroup {
  name: string;
  hosts: InventoryHost[];
  /** Written as a comment above the group. */
  note?: string;
}

export interface InventoryLayout {
  header: string;
  /** Variables for every host (ansible_user...). */
  vars: Record<string, string>;
  groups: InventoryGroup[];
  /** A parent group holding all of `groups` (k3s_cluster), so one play can target them together. */
  parent?: string;
}

/**
 * Hosts with no variables are written as `name:` and an empty group as `hosts:`, so adding a host
 * to a group only ever adds lines (a reviewer's diff shows exactly the new machine).
 */
export function writeInventory(layout: InventoryLayout): string {
  const groups: Record<string, unknown> = {};
  for (const g of layout.groups) {
    const hosts: Record<string, unknown> = {};
    for (const h of g.hosts) hosts[h.name] = h.address ? { ansible_host: h.address } : null;
    groups[g.name] = { hosts: g.hosts.length > 0 ? hosts : null };
  }
  const children = layout.parent ? { [layout.parent]: { children: groups } } : groups;
  const doc = new Document({ all: Object.keys(layout.vars).length > 0 ? { vars: layout.vars, children } : { children } });
  doc.commentBefore = layout.header.split('\n').map((l) => ` ${l}`.trimEnd()).join('\n');
  const base = layout.parent ? ['all', 'children', layout.parent, 'children'] : ['all', 'children'];
  for (const g of layout.groups) {
    const groupPair = (doc.getIn(base) as YAMLMap).items.find((p) => isScalar(p.key) && p.key.value === g.name);
    if (g.note && groupPair && isScalar(groupPair.key)) groupPair.key.commentBefore = ` ${g.note}`;
    const hosts = doc.getIn([...base, g.name, 'hosts']) as YAMLMap | null;
    if (!hosts || typeof hosts !== 'object' || !('items' in hosts)) continue;
    for (const pair of hosts.items) {
      const key = isPair(pair) ? pair.key : undefined;
      if (!isScalar(key)) continue;
      const note = g.hosts.find((h) => h.name === key.value)?.note;
      if (note) key.commentBefore = note.split('\n').map((l) => ` ${l}`).join('\n');
    }
  }
  return doc.toString({ lineWidth: 0, nullStr: '' });
}

export interface InventoryIndex {
  groups: Set<string>;
  /** Host name → its ansible_host when set. */
  hosts: Map<string, unknown>;
}

/** Group and host names a YAML inventory defines ("all" and "ungrouped" always exist). */
export function indexInventory(value: unknown): InventoryIndex {
  const index: InventoryIndex = { groups: new Set(['all', 'ungrouped']), hosts: new Map() };
  const visit = (name: string, group: unknown): void => {
    index.groups.add(name);
    if (!isObj(group)) return;
    if (isObj(group.hosts)) for (const [h, vars] of Object.entries(group.hosts)) index.hosts.set(h, isObj(vars) ? vars.ansible_host : undefined);
    if (isObj(group.children)) for (const [child, body] of Object.entries(group.children)) visit(child, body);
  };
  if (isObj(value)) for (const [name, group] of Object.entries(value)) visit(name, group);
  return index;
}
