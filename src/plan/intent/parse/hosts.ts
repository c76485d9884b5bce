/**
 * "Configure these hosts" requests: which packages to install, which services to enable and run,
 * on which hosts (names, IPv4 addresses, or both) or inventory group.
 *   "install nginx and enable it on web1 and web2 (10.0.0.5, 10.0.0.6)"
 *   "configure the hosts in group web"
 *   "ensure docker is running on 192.168.1.20"
 * A host that is neither a DNS name nor an IPv4 address is left out with a note saying why: it
 * would become an SSH target nobody asked for.
 */
import { isDnsName, isIpv4 } from '../ansible/address.js';
import type { HostsIntent } from '../spec.js';
import { normalise, sentences } from './text.js';

/** Already in the schema's parsed shape (defaults filled), so it is a valid HostsIntentSchema input too. */
export type HostsIntentInput = HostsIntent;

export interface HostsReading {
  intent: HostsIntentInput | undefined;
  /** What was left out and why ("host "web_1" omitted: ..."). */
  notes: string[];
}

const PACKAGE = /^[a-z0-9][a-z0-9+._-]*$/i;
const SERVICE = /^[a-z0-9][a-z0-9@._-]*$/i;
const GROUP = /^[a-z_][a-z0-9_-]*$/i;
/** Words that end a list of names ("install nginx on ...", "enable it then ..."). */
const LIST_END = /\s+(?:on|to|in|at|across|for|then|so|with|from|and\s+(?:then\s+)?(?:enable|start|run|make|ensure|restart))\b|[.;:()]|$/i;
const NOT_NAMES = new Set(['it', 'them', 'the', 'a', 'an', 'and', 'package', 'packages', 'service', 'services', 'all', 'hosts', 'host', 'servers', 'server', 'machines', 'nodes', 'group', 'in', 'of', 'at', 'to', 'with']);

/** "nginx, curl and git" → ["nginx", "curl", "git"]; stops at the first word that ends the list. */
function nameList(text: string): string[] {
  const end = LIST_END.exec(text);
  const part = end ? text.slice(0, end.index) : text;
  return part
    .split(/\s*,\s*(?:and\s+)?|\s+and\s+|\s+/)
    .map((w) => w.replace(/^["'`]|["'`]$/g, '').trim())
    .filter((w) => w !== '' && !NOT_NAMES.has(w.toLowerCase()));
}

/** "ensure chrony and ntp are installed (and running)": the names before "is/are installed". */
const ENSURED = /\b(?:ensure|make sure|check)\s+(?:that\s+)?(?:the\s+)?([\w@.+-]+(?:\s*(?:,|and)\s*[\w@.+-]+)*)(?:\s+packages?)?\s+(?:is|are)\s+installed\b(\s+and\s+(?:running|started|enabled|up))?/gi;

function findPackages(s: string): string[] {
  const out: string[] = [];
  // "installed" is the state phrase below ("is installed and running"), not a verb with a list after it.
  const m = /\binstall(?:s|ing)?\s+(?:the\s+)?(?:packages?\s+)?(.+)/i.exec(s);
  if (m) out.push(...nameList(m[1]));
  for (const e of s.matchAll(ENSURED)) out.push(...nameList(e[1]));
  return [...new Set(out)].filter((p) => PACKAGE.test(p));
}

function findServices(s: string, packages: string[]): string[] {
  const out: string[] = [];
  // "enable it", "start them", "enable and start it": the packages just installed.
  if (/\b(?:enable|start|run)(?:\s+and\s+(?:enable|start))?\s+(?:it|them)\b/i.test(s)) out.push(...packages);
  const named = /\b(?:enable|start|restart)(?:\s+and\s+(?:enable|start))?\s+(?:the\s+)?(?!it\b|them\b)([\w@.-]+(?:\s*(?:,|and)\s*[\w@.-]+)*)(?:\s+services?)?/gi;
  for (const m of s.matchAll(named)) out.push(...nameList(m[1]));
  const running = /\b(?:ensure|make sure|check)\s+(?:that\s+)?(?:the\s+)?([\w@.-]+(?:\s*(?:,|and)\s*[\w@.-]+)*)(?:\s+services?)?\s+(?:is|are)\s+(?:running|started|enabled|up)\b/gi;
  for (const m of s.matchAll(running)) out.push(...nameList(m[1]));
  for (const e of s.matchAll(ENSURED)) if (e[2]) out.push(...nameList(e[1]));
  return out.filter((x) => SERVICE.test(x));
}

function findGroup(s: string): string | undefined {
  return (/\b(?:in|of|for|on)\s+(?:the\s+)?(?:inventory\s+|host\s+)?group\s+["'`]?([\w-]+)/i.exec(s) ?? /\bthe\s+["'`]?([\w-]+)["'`]?\s+(?:host\s+)?group\b/i.exec(s))?.[1];
}

/** Whatever looks like a host (a name or a dotted number) after "on": checked, not trusted. */
function readHosts(s: string, notes: string[]): HostsIntent['hosts'] {
  const m = /\bon\s+(?:the\s+)?(?:hosts?|servers?|machines?|nodes?|boxes)?\s*(?!(?:the\s+)?(?:inventory\s+)?group\b)([\w.-]+(?:\s*\(\s*[\d.]+\s*\))?(?:\s*(?:,|and|&)\s*(?:and\s+)?[\w.-]+(?:\s*\(\s*[\d.]+\s*\))?)*)(?:\s*\(([^)]*)\))?/i.exec(s);
  if (!m) return [];
  const hosts: HostsIntent['hosts'] = [];
  const add = (name: string, address?: string) => {
    if (NOT_NAMES.has(name.toLowerCase())) return;
    if (!isIpv4(name) && !isDnsName(name)) {
      notes.push(`host "${name}" omitted: ${/^[\d.]+$/.test(name) ? 'not a valid IPv4 address' : 'not a DNS name (letters, digits and hyphens) or an IPv4 address'}`);
      return;
    }
    if (address !== undefined && !isIpv4(address)) {
      notes.push(`host "${name}" omitted: its address "${address}" is not a valid IPv4 address`);
      return;
    }
    if (hosts.some((h) => h.name === name)) return;
    hosts.push(address === undefined || address === name ? { name, groups: [] } : { name, address, groups: [] });
  };
  // "web1 (10.0.0.5) and web2 (10.0.0.6)": each name carries its address.
  const items = [...m[1].matchAll(/([\w.-]+)(?:\s*\(\s*([\d.]+)\s*\))?/g)].filter((x) => !/^(?:and|&)$/i.test(x[1]));
  const trailing = (m[2] ?? '')
    .split(/\s*(?:,|and)\s*/)
    .map((x) => x.trim())
    .filter(Boolean);
  if (trailing.length > 0 && trailing.length !== items.length) notes.push(`${trailing.length} addresses for ${items.length} hosts: the addresses were left out`);
  items.forEach((x, i) => add(x[1], x[2] || (trailing.length === items.length ? trailing[i] : undefined)));
  return hosts;
}

export function readHostsIntent(prose: string): HostsReading {
  const notes: string[] = [];
  const intent: HostsIntentInput = { hosts: [], packages: [], services: [] };
  for (const s of sentences(normalise(prose))) {
    const packages = findPackages(s);
    for (const p of packages) if (!intent.packages.includes(p)) intent.packages.push(p);
    for (const x of findServices(s, packages)) if (!intent.services.includes(x)) intent.services.push(x);
    const group = findGroup(s);
    if (group !== undefined) {
      if (GROUP.test(group)) intent.group ??= group;
      else notes.push(`group "${group}" omitted: group names are letters, digits and underscores`);
    }
    for (const h of readHosts(s, notes)) if (!intent.hosts.some((x) => x.name === h.name)) intent.hosts.push(h);
  }
  const empty = intent.hosts.length === 0 && intent.packages.length === 0 && intent.services.length === 0 && intent.group === undefined;
  return { intent: empty ? undefined : intent, notes };
}

/** The hosts block of an IntentSpec, or undefined when the request configures no hosts. */
export function findHostsIntent(prose: string): HostsIntentInput | undefined {
  return readHostsIntent(prose).intent;
}
