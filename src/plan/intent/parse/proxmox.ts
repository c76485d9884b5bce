/**
 * Proxmox VM phrasing: how many VMs, k3s cluster roles and addresses (API virtual IP,
 * load-balancer pool), storage, network, login and packages, and growth of an existing cluster
 * ("add one more worker"). Values are taken as written; the VM planner judges them.
 */
import { IPV4_SOURCE } from '../vm/ipv4.js';
import type { VmIntent, VmIntentSchema } from '../spec.js';
import type { z } from 'zod';
import { NUMBER_SOURCE, parseNumber } from './numbers.js';

export type VmIntentInput = z.input<typeof VmIntentSchema>;

const IP = IPV4_SOURCE;
const NUM = NUMBER_SOURCE;
// "servers" alone means control planes only in a cluster request ("3 servers and 2 agents"); "3 web servers" are VMs.
const CP_WORDS = '(?:control[- ]?planes?|masters?|server nodes?|k3s servers?)';
const CP_WORDS_IN_CLUSTER = '(?:control[- ]?planes?|masters?|server nodes?|k3s servers?|servers?)';
const WORKER_WORDS = '(?:workers?|worker nodes?|agents?|agent nodes?)';
const VM_NOUN = '(?:VMs?|virtual machines?|machines?|instances?|servers?|hosts?|boxes)';

/** Span-blanking keeps later extractors from reading an address twice (a VIP is not the first VM address). */
function blank(text: string, m: RegExpExecArray | null): string {
  if (!m) return text;
  return text.slice(0, m.index) + ' '.repeat(m[0].length) + text.slice(m.index + m[0].length);
}

const num = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined;
  const n = parseNumber(s);
  return n === null ? undefined : n;
};

/** "ssh-ed25519 AAAA… user@host": the comment is kept only when it looks like one (has an @), never the next word. */
export function findSshKeys(text: string): string[] {
  const re = /\b((?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp(?:256|384|521)|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)\s+AAAA[A-Za-z0-9+/]+={0,3})(?:\s+([\w.+-]+@[\w.-]*[\w-]))?/g;
  return [...new Set([...text.matchAll(re)].map((m) => (m[2] ? `${m[1]} ${m[2]}` : m[1])))];
}

function findCluster(text: string, ha: boolean): VmIntentInput['cluster'] | undefined {
  const mentionsCluster = /\bk3s\b|\bkubernetes cluster\b|\bk8s cluster\b|\bcontrol[- ]?planes?\b/i.test(text);
  const CP = mentionsCluster ? CP_WORDS_IN_CLUSTER : CP_WORDS;
  const cp = new RegExp(`\\b${NUM}\\s+(?:k3s\\s+)?${CP}(?![\\w-])`, 'i').exec(text);
  const worker = new RegExp(`\\b${NUM}\\s+(?:k3s\\s+)?${WORKER_WORDS}(?![\\w-])`, 'i').exec(text)
    // "three masters and two nodes": bare nodes next to masters are the workers.
    ?? new RegExp(`${CP}(?:\\s+\\w+){0,2}?\\s+and\\s+${NUM}\\s+(?:k3s\\s+)?(?:nodes?|VMs?)\\b`, 'i').exec(text);
  if (!cp && !worker && !mentionsCluster) return undefined;
  const controlPlanes = num(cp?.[1]);
  const workers = num(worker?.[1]);
  const out: NonNullable<VmIntentInput['cluster']> = { distribution: 'k3s' };
  if (controlPlanes !== undefined) out.controlPlanes = controlPlanes;
  // A highly available cluster with no count stated: three servers (etcd quorum) — the planner explains it.
  else if (ha) out.controlPlanes = 3;
  if (workers !== undefined) out.workers = workers;
  const vip =
    new RegExp(`\\b(?:virtual IP|VIP|floating IP|API(?: server)?(?: (?:address|endpoint|IP))?)(?:\\s+(?:address|of|at|on|is|=|:|should be|will be|a|the))*\\s*:?\\s*(${IP})(?![\\d/.-])`, 'i').exec(text) ??
    new RegExp(`\\b(${IP})(?![\\d/.-])\\s+(?:as|for)\\s+(?:the\\s+)?(?:API\\s+)?(?:virtual IP|VIP|floating IP|API(?: server)?(?: address)?)\\b`, 'i').exec(text);
  // "a virtual IP" with no address leaves apiVip unset: clarify asks for the address.
  if (vip) out.apiVip = vip[1];
  const pool = findPool(text);
  if (pool) out.lbAddressPool = pool;
  return out;
}

const POOL_RE = new RegExp(
  `\\b(?:(?:load[- ]?balancer|LB|MetalLB|service)\\s+(?:IP\\s+|address\\s+)?(?:address\\s+)?|address\\s+)(?:pool|range)(?:\\s+(?:of|from|is|=|:|with|should be))*\\s*:?\\s*(${IP})(?:\\s*(?:-|–|to|through|until)\\s*(${IP})|/(\\d{1,2}))?`,
  'i',
);

function findPool(text: string): string | undefined {
  const m = POOL_RE.exec(text);
  if (!m) return undefined;
  if (m[2]) return `${m[1]}-${m[2]}`;
  if (m[3]) return `${m[1]}/${m[3]}`;
  return undefined;
}

/** Growth of an existing plan: "add one more worker to that cluster", "add two workers", "add another VM". */
export function findGrowth(text: string): VmIntent['grow'] | undefined {
  const m = new RegExp(`\\b(?:add|adding|grow (?:it|the cluster|that cluster) by|scale (?:it|the cluster|that cluster) out by)\\s+(?:${NUM}|(another|an?))\\s+(?:more\\s+|extra\\s+|additional\\s+|new\\s+)?(?:k3s\\s+|kubernetes\\s+)?(${WORKER_WORDS}|${CP_WORDS}|control[- ]?plane nodes?|${VM_NOUN}|nodes?)(?![\\w-])`, 'i').exec(text);
  if (!m) return undefined;
  const count = m[2] ? 1 : num(m[1]);
  if (count === undefined || count < 1) return undefined;
  const noun = m[3].toLowerCase();
  const role = new RegExp(`^${WORKER_WORDS}$|^nodes?$`, 'i').test(noun) ? 'worker' : new RegExp(`^${CP_WORDS}$|^control`, 'i').test(noun) ? 'control-plane' : 'vm';
  return { role, count };
}

function findPackages(text: string): string[] {
  const lists: string[] = [];
  for (const m of text.matchAll(/(?:\b(?:with|and|plus)|,)\s+([\w.+-]+(?:\s*(?:,|and|&)\s*[\w.+-]+)*)\s+(?:pre-?)?installed\b/gi)) lists.push(m[1]);
  for (const m of text.matchAll(/\b(?:install(?:ing)?(?:\s+the)?(?:\s+packages?)?|packages?\s*:?)\s+((?:[a-z0-9][\w.+-]*)(?:\s*(?:,|and|&)\s*[a-z0-9][\w.+-]*)*)/gi)) lists.push(m[1]);
  const stop = new Set(['and', 'the', 'on', 'it', 'them', 'a', 'an', 'package', 'packages', 'with', 'to', 'in', 'k3s', 'kubernetes', 'cloud-init']);
  return [...new Set(lists.flatMap((l) => l.split(/\s*(?:,|\band\b|&)\s*/i)).map((p) => p.trim().toLowerCase()).filter((p) => /^[a-z0-9][a-z0-9.+-]*$/.test(p) && !stop.has(p)))];
}

/**
 * What a Proxmox request says about its VMs, or undefined when it says nothing VM-specific.
 * Addresses are read in order VIP → pool → gateway → first VM address, each span blanked once taken.
 */
export function findVmIntent(prose: string, opts: { highAvailability?: boolean } = {}): VmIntentInput | undefined {
  const out: VmIntentInput = {};
  const ha = opts.highAvailability ?? /\bhighly[- ]available\b|\bHA\b|\bhigh[- ]availability\b/i.test(prose);
  let rest = prose;

  // Growth refers to the cluster of an earlier request: its role words ("add two workers") describe no new cluster.
  const grow = findGrowth(prose);
  const cluster = grow ? undefined : findCluster(prose, ha);
  if (cluster) {
    out.cluster = cluster;
    // Blank the cluster's addresses so they are not read as the first VM address.
    if (cluster.apiVip) rest = rest.replace(new RegExp(`(?<![\\d.])${cluster.apiVip.replace(/\./g, '\\.')}(?![\\d/])`), ' ');
    rest = blank(rest, POOL_RE.exec(rest));
  }

  const gateway = new RegExp(`\\bgateway\\s*(?:(?:is|of|at|=|:|should be)\\s*)*(${IP})(?![\\d.])`, 'i').exec(rest) ?? new RegExp(`\\b(${IP})(?![\\d./])\\s+as\\s+(?:the\\s+)?(?:default\\s+)?gateway\\b`, 'i').exec(rest);
  if (gateway) {
    out.gateway = gateway[1];
    rest = blank(rest, gateway);
  }
  // Resolver addresses are not VM addresses (the schema has no field for them yet).
  rest = blank(rest, new RegExp(`\\b(?:dns|name ?servers?|resolvers?)(?:\\s+servers?)?\\s*(?:(?:is|are|of|at|=|:)\\s*)*${IP}(?:\\s*(?:,|and)\\s*${IP})*`, 'i').exec(rest));
  if (/\bdhcp\b/i.test(rest)) out.ipv4 = 'dhcp';
  else {
    const ip = new RegExp(`\\b(${IP}(?:/\\d{1,2})?)(?![\\d.])`).exec(rest);
    if (ip) out.ipv4 = ip[1];
  }

  const datastore = /\b(?:datastore|storage(?:\s+pool)?|disks?\s+on|store\s+(?:the\s+)?disks?\s+on)\s*(?:is\s+|of\s+|=\s*|:\s*|named\s+|called\s+)?["'`]?([a-z][\w.-]*[\w])/i.exec(prose);
  const onStore = /\bon\s+["'`]?(local-(?:lvm|zfs|btrfs)|[\w-]*(?:ceph|rbd|zfs|lvm|nfs|nvme|ssd)[\w-]*)\b/i.exec(prose);
  const storeName = datastore && !/^(?:class|for|is|the|a|an|of|on|size|capacity)$/i.test(datastore[1]) ? datastore[1] : onStore?.[1];
  if (storeName) out.datastore = storeName;

  const bridge = /\b(vmbr\d+)\b/i.exec(prose)?.[1] ?? /\bbridge\s+(?:is\s+|=\s*|:\s*|named\s+|called\s+)?["'`]?([a-z][\w.-]*\d)\b/i.exec(prose)?.[1];
  if (bridge) out.bridge = bridge.toLowerCase();

  const vlan = /\bvlan[\s_-]*(?:id|tag)?\s*(?:#|=|:|is)?\s*(\d{1,4})\b/i.exec(prose) ?? /\b(?:tagged|tag)\s+(\d{1,4})\b/i.exec(prose);
  if (vlan) out.vlan = Number(vlan[1]);

  const user = /\b(?:user(?:name)?|login|log in as|account)\s+(?:named\s+|called\s+|is\s+|=\s*|:\s*)?["'`]?([a-z_][a-z0-9_-]{0,31})\b/i.exec(prose);
  const NOT_A_USER = /^(?:data|with|and|for|the|a|an|account|accounts|name|named|called|is|login|should|must|can|on|of|to|ssh|key|keys|password|passwords|disabled|enabled|only|via|by|over|without|no)$/i;
  if (user && !NOT_A_USER.test(user[1])) out.user = user[1];

  const keys = findSshKeys(prose);
  if (keys.length > 0) out.sshKeys = keys;
  const packages = findPackages(prose.replace(/\b(?:ssh-\S+|ecdsa-\S+)\s+\S+/g, ' '));
  if (packages.length > 0) out.packages = packages;

  if (grow) out.grow = grow;
  else if (!cluster) {
    const count = new RegExp(`\\b${NUM}\\s+(?:(?:small|large|new|identical|ubuntu|debian|[a-z]+-?)\\s+){0,2}?${VM_NOUN}\\b`, 'i').exec(prose);
    const n = num(count?.[1]);
    if (n !== undefined && !/^(?:a|an|single)$/i.test(count![1].trim())) out.count = n;
  }

  return Object.keys(out).length > 0 ? out : undefined;
}

const NAME_STOP = /^(?:a|an|the|new|vm|vms|virtual|machine|machines|server|servers|host|hosts|instance|instances|proxmox|small|large|highly|available|ha|single|one|cluster|that|this|it|template|based|from|ubuntu|debian)$/i;

/** The VMs' name when the generic parser finds none: "called web01", "a webserver", "3 web servers", "a k3s cluster". */
export function findVmName(prose: string): string | undefined {
  const called = /\b(?:called|named|hostname(?:\s+(?:of|is))?|name (?:it|them))\s+["'`]?([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)["'`]?/i.exec(prose)?.[1];
  if (called && !NAME_STOP.test(called)) return called.toLowerCase();
  const cluster = /\b([a-z][a-z0-9-]*)\s+cluster\b/gi;
  for (const m of prose.matchAll(cluster)) if (!NAME_STOP.test(m[1]) && !/^(?:kubernetes|k8s)$/i.test(m[1])) return m[1].toLowerCase();
  const verb = new RegExp(`\\b(?:create|provision|spin up|deploy|build|set up|make|launch|give me|i need|we need)\\s+(?:me\\s+)?(?:(?:a|an|the)\\s+|${NUM}\\s+)?(?:new\\s+)?(?:(?:small|large|ubuntu|debian|proxmox)\\s+)?([a-z][a-z0-9-]*)`, 'i').exec(prose)?.[2];
  const counted = new RegExp(`\\b${NUM}\\s+([a-z][a-z0-9-]*)\\s+(?:servers?|VMs?|virtual machines?|hosts?|boxes)\\b`, 'i').exec(prose)?.[2];
  // "a webserver" stays "webserver"; "3 web servers" names them "web" (web-1..web-3).
  const word = [verb, counted].find((w) => w !== undefined && !NAME_STOP.test(w) && parseNumber(w) === null);
  return word?.toLowerCase();
}
