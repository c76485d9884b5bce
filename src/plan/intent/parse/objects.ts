/**
 * Fields of the non-workload objects a request asks for, read from the sentences about each one:
 * ConfigMap/Secret data, RBAC rules and bindings, PV/PVC/StorageClass storage, Service and Ingress
 * routing, HPA and PDB bounds, LimitRange and ResourceQuota limits.
 */
import type { ObjectIntentInput, PortSpec, StorageSpec } from '../spec.js';
import { findLabels } from './labels.js';
import { parseNumber } from './numbers.js';
import { findPorts } from './ports.js';
import { toQuantity } from './quantity.js';
import { NAME, sentences } from './text.js';

const SIZE = /(\d+(?:\.\d+)?)\s*(Ki|Mi|Gi|Ti|KiB|MiB|GiB|TiB|KB|MB|GB|TB|[Mm]ega ?[Bb]ytes?|[Gg]iga ?[Bb]ytes?|[Tt]era ?[Bb]ytes?)\b/;

function size(text: string): string | undefined {
  const m = SIZE.exec(text);
  if (!m) return undefined;
  if (/^(?:Ki|Mi|Gi|Ti)$/.test(m[2])) return `${m[1]}${m[2]}`;
  return toQuantity(m[1], m[2]) ?? undefined;
}

type AccessMode = 'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod';

export function accessModes(text: string): AccessMode[] | undefined {
  const out: AccessMode[] = [];
  for (const m of text.matchAll(/\b(ReadWriteOncePod|ReadWriteOnce|ReadOnlyMany|ReadWriteMany|RWOP|RWO|ROX|RWX)\b/g)) {
    const v = ({ RWO: 'ReadWriteOnce', ROX: 'ReadOnlyMany', RWX: 'ReadWriteMany', RWOP: 'ReadWriteOncePod' } as Record<string, AccessMode>)[m[1]] ?? (m[1] as AccessMode);
    if (!out.includes(v)) out.push(v);
  }
  if (out.length > 0) return out;
  if (/\bread[- ]?write\b[^.]*\b(?:single|one)\s+node\b|\bsingle node\b[^.]*\bread[- ]?write/i.test(text)) return ['ReadWriteOnce'];
  if (/\bread[- ]?write\b[^.]*\b(?:many|multiple|several)\s+nodes?\b|\bshared\b[^.]*\bnodes\b/i.test(text)) return ['ReadWriteMany'];
  if (/\bread[- ]?only\b[^.]*\b(?:many|multiple)\s+nodes?\b/i.test(text)) return ['ReadOnlyMany'];
  return undefined;
}

function storageClass(text: string): string | undefined {
  const m = new RegExp(`\\b(?:storage ?class(?:Name)?|SC)\\s*(?:named|called|of|:|=|is)?\\s*${NAME}`, 'i').exec(text)
    ?? new RegExp(`${NAME}\\s+(?:storage ?class|SC)\\b`, 'i').exec(text);
  const v = m?.[1];
  return v && !/^(?:the|a|an|and|with|to|for|using|of|named|called|is|should|that|which)$/.test(v) ? v : undefined;
}

/** "For pods, it should allow get, list, and watch." / "get and list on nodes" → RBAC rules. */
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'impersonate', 'bind', 'escalate', '*'];
const RESOURCE_GROUPS: Record<string, string> = {
  pods: '', services: '', nodes: '', configmaps: '', secrets: '', namespaces: '', persistentvolumeclaims: '', persistentvolumes: '', events: '', endpoints: '', serviceaccounts: '', 'pods/log': '', 'pods/exec': '', replicationcontrollers: '',
  deployments: 'apps', replicasets: 'apps', statefulsets: 'apps', daemonsets: 'apps',
  jobs: 'batch', cronjobs: 'batch', ingresses: 'networking.k8s.io', networkpolicies: 'networking.k8s.io',
  horizontalpodautoscalers: 'autoscaling', roles: 'rbac.authorization.k8s.io', rolebindings: 'rbac.authorization.k8s.io', storageclasses: 'storage.k8s.io',
};
const RESOURCE_WORD = /\b(pods?(?:\/(?:log|exec))?|services?|nodes?|config ?maps?|secrets?|namespaces?|persistent ?volume ?claims?|pvcs?|persistent ?volumes?|events?|endpoints?|service ?accounts?|deployments?|replica ?sets?|stateful ?sets?|daemon ?sets?|jobs?|cron ?jobs?|ingress(?:es)?|network ?polic(?:y|ies)|roles?|role ?bindings?|storage ?class(?:es)?)\b/gi;

function plural(word: string): string {
  const w = word.toLowerCase().replace(/\s+/g, '');
  const map: Record<string, string> = { pvc: 'persistentvolumeclaims', pvcs: 'persistentvolumeclaims', ingress: 'ingresses', networkpolicy: 'networkpolicies', storageclass: 'storageclasses' };
  if (map[w]) return map[w];
  if (w.endsWith('s') || w.endsWith('/log') || w.endsWith('/exec')) return w;
  return `${w}s`;
}

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

/** One rule per API group, as `kubectl create role` writes them. */
function rulesFor(resources: string[], verbs: string[]): Rule[] {
  const groups: string[] = [];
  for (const r of resources) {
    const g = RESOURCE_GROUPS[r];
    if (!groups.includes(g)) groups.push(g);
  }
  return groups.map((g) => ({ apiGroups: [g], resources: resources.filter((r) => RESOURCE_GROUPS[r] === g), verbs: verbs.map((v) => v.toLowerCase()) }));
}

function verbsIn(s: string): string[] {
  return VERBS.filter((v) => v !== '*' && new RegExp(`\\b${v}\\b`, 'i').test(s));
}

export function rbacRules(text: string): Rule[] {
  const rules: Rule[] = [];
  // "pods (get, list, watch), nodes (get, list)": resource with its verbs in brackets.
  for (const m of text.matchAll(/\b([a-z][a-z /]*?)\s*\(([a-z, *]+)\)/gi)) {
    const words = [...m[1].matchAll(RESOURCE_WORD)].map((x) => plural(x[1])).filter((r) => RESOURCE_GROUPS[r] !== undefined);
    const verbs = verbsIn(m[2]);
    if (words.length > 0 && verbs.length > 0) rules.push(...rulesFor([words[words.length - 1]], verbs));
  }
  if (rules.length > 0) return rules;
  for (const raw of sentences(text)) {
    // The instruction itself ("Create a ClusterRole…") is not a permission.
    const s = raw.replace(/\b(?:in|within|for)\s+(?:the\s+)?[\w-]+\s+namespace\b|\bnamespace\s+[\w-]+/gi, ' ').replace(/\b(?:create|write|define|generate|make|build|craft|configure)\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,4}?(?:yaml|manifest|file|configuration|config|cluster ?role|role)\b/gi, ' ');
    const verbs = verbsIn(s);
    if (/\ball (?:verbs|operations|actions)\b|\bfull access\b/i.test(s)) verbs.splice(0, verbs.length, '*');
    if (/\bread[- ]only\b|\bread access\b|\bcan read\b/i.test(s) && verbs.length === 0) verbs.push('get', 'list', 'watch');
    if (verbs.length === 0) continue;
    const resources: string[] = [];
    for (const m of s.matchAll(RESOURCE_WORD)) {
      const r = plural(m[1]);
      if (RESOURCE_GROUPS[r] === undefined) continue;
      // "RoleBinding"/"ClusterRole" as the object being defined is not a resource the rule grants.
      if (/^(?:roles|rolebindings)$/.test(r) && !/\b(?:on|for|to)\s+roles?\b/i.test(s)) continue;
      if (!resources.includes(r)) resources.push(r);
    }
    if (resources.length === 0) continue;
    rules.push(...rulesFor(resources, verbs));
  }
  return rules;
}

function subjects(text: string): NonNullable<ObjectIntentInput['subjects']> {
  const out: NonNullable<ObjectIntentInput['subjects']> = [];
  for (const m of text.matchAll(/\b(user|group|service ?account|SA)\s+(?:named\s+|called\s+)?["'`]?([a-z0-9](?:[a-z0-9.:@-]*[a-z0-9])?)["'`]?/gi)) {
    const kindWord = m[1].toLowerCase().replace(/\s+/g, '');
    const kind = kindWord === 'user' ? 'User' : kindWord === 'group' ? 'Group' : 'ServiceAccount';
    if (/^(?:and|the|to|in|a|named|called|with)$/.test(m[2])) continue;
    if (!out.some((s) => s.kind === kind && s.name === m[2])) out.push({ kind, name: m[2] });
  }
  return out;
}

function roleRef(text: string): ObjectIntentInput['roleRef'] {
  const m = new RegExp(`\\b(?:to|with|binds?|bind(?:ing)?|references?|grant(?:s|ing)?)\\s+(?:the\\s+|a\\s+)?(?:existing\\s+)?(cluster ?role|role)\\s+(?:named\\s+|called\\s+)?${NAME}`, 'i').exec(text)
    ?? new RegExp(`\\b(cluster ?role|role)\\s+(?:named\\s+|called\\s+)?${NAME}`, 'i').exec(text);
  if (!m) return undefined;
  return { kind: /cluster/i.test(m[1]) ? 'ClusterRole' : 'Role', name: m[2] };
}

/** "with username admin and password s3cr3t": credential words followed by their value. */
const CREDENTIAL = /\b(username|user|password|passwd|token|api[-_]?key|access[-_]?key|secret[-_]?key|host|hostname|database|db)\s+(?:of\s+|is\s+|as\s+|=\s*|:\s*)?(?:"([^"]*)"|'([^']*)'|`([^`]*)`|([^\s,;"'`]+))/gi;

function keyValues(text: string, strongOnly = false): Record<string, string> {
  const out: Record<string, string> = {};
  const pats = [
    /\bkey\s+(?:named\s+|called\s+)?["'`]?([\w.-]+)["'`]?\s+(?:and|with)\s+(?:the\s+|a\s+)?value\s+(?:of\s+)?(?:"([^"]*)"|'([^']*)'|([^\s,;]+))/gi,
    /["'`]?([\w.-]+)["'`]?\s+(?:set to|with (?:the )?value|=)\s+(?:"([^"]*)"|'([^']*)'|([^\s,;]+))/gi,
    // "LOG_LEVEL=info and MAX_CONNECTIONS=100": KEY=VALUE tokens.
    /(?<![\w.-])([A-Za-z_][\w.-]*)=(?:"([^"]*)"|'([^']*)'|([^\s,;"']+))/g,
    /\b([a-z][\w.-]*)\s*:\s*(?:"([^"]*)"|'([^']*)'|([^\s,;]+))/g,
    // "the ui_properties_file_name is \"user-interface.properties\"": an identifier-shaped key.
    /\b([a-z][\w.-]*_[\w.-]*)\s+(?:is|are|equals|should be)\s+(?:"([^"]*)"|'([^']*)'|([^\s,;]+))/gi,
  ];
  for (const [i, re] of pats.entries()) {
    // Bare "key: value" pairs only count where the text talks about data entries (not in error
    // messages), and never for an object the request quotes (its YAML already has the data).
    if (i === 3 && (!/\b(?:data|entr(?:y|ies)|keys?|values?|properties|settings?)\b/i.test(text) || strongOnly)) continue;
    for (const m of text.matchAll(re)) {
      const k = m[1];
      if (/^(?:the|a|an|image|name|namespace|kind|apiVersion|port|value|key|https?)$/i.test(k)) continue;
      if (out[k] === undefined) out[k] = (m[2] ?? m[3] ?? m[4] ?? '').replace(/[.]$/, '');
    }
    if (Object.keys(out).length > 0) break;
  }
  if (Object.keys(out).length === 0) {
    for (const m of text.matchAll(CREDENTIAL)) {
      const v = (m[2] ?? m[3] ?? m[4] ?? m[5] ?? '').replace(/[.]$/, '');
      if (/^(?:and|the|a|with|to|for|named|called|should|must|is)$/i.test(v)) continue;
      out[m[1].toLowerCase()] ??= v;
    }
  }
  return out;
}

function quantityMap(text: string, words: Record<string, RegExp>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [key, re] of Object.entries(words)) {
    const m = re.exec(text);
    if (m) out[key] = m[1];
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

const CPU_Q = '(\\d+(?:\\.\\d+)?m?)';
const MEM_Q = '(\\d+(?:\\.\\d+)?(?:Ki|Mi|Gi|Ti|K|M|G|T))';

function limitRange(text: string): ObjectIntentInput['limits'] {
  const LINK = '\\s*(?:limits?|requests?|values?)?\\s*(?:is|of|to|=|:|at|should be|must be|set to)?\\s*';
  const RES: Record<string, [string, string]> = { cpu: ['cpu', CPU_Q], memory: ['memory', MEM_Q], 'ephemeral-storage': ['(?:ephemeral[- ])?storage', MEM_Q] };
  // For each bound, the words that name it before or after the resource.
  const KINDS: Record<'min' | 'max' | 'default' | 'defaultRequest', { before: string; after?: string }> = {
    min: { before: 'min(?:imum)?' },
    max: { before: 'max(?:imum)?' },
    default: { before: 'default(?:\\s+limits?)?(?!\\s+requests?)', after: 'limits?' },
    defaultRequest: { before: 'default\\s+requests?', after: 'requests?' },
  };
  const pick = (k: keyof typeof KINDS): Record<string, string> | undefined => {
    const out: Record<string, string> = {};
    for (const [key, [res, q]] of Object.entries(RES)) {
      const pats = [new RegExp(`\\b${KINDS[k].before}\\s+(?:of\\s+)?(?:the\\s+)?${res}\\b(?!\\s+requests?)${LINK}${q}(?!\\w)`, 'i'), new RegExp(`\\b${res}\\s+${KINDS[k].before}${LINK}${q}(?!\\w)`, 'i')];
      // "default CPU request of 0.5": default, resource, then the kind word.
      if (KINDS[k].after) pats.push(new RegExp(`\\bdefault\\s+${res}\\s+${KINDS[k].after}\\s*(?:is|of|to|=|:|at|should be|set to)?\\s*${q}(?!\\w)`, 'i'));
      for (const re of pats) {
        const m = re.exec(text);
        if (m) {
          out[key] = m[1];
          break;
        }
      }
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  // "min/max ephemeral storage of 1Gi/5Gi"
  const slash = new RegExp(`\\bmin(?:imum)?\\s*\\/\\s*max(?:imum)?\\s+(?:of\\s+)?(?:the\\s+)?(cpu|memory|(?:ephemeral[- ])?storage)\\s*(?:of|is|=|:|at)?\\s*(\\d+(?:\\.\\d+)?[A-Za-z]*)\\s*\\/\\s*(\\d+(?:\\.\\d+)?[A-Za-z]*)`, 'i').exec(text);
  const slashKey = slash ? (/storage/i.test(slash[1]) ? 'ephemeral-storage' : slash[1].toLowerCase()) : undefined;
  const min = pick('min') ?? (slashKey && slash ? { [slashKey]: slash[2] } : undefined);
  const max = pick('max') ?? (slashKey && slash ? { [slashKey]: slash[3] } : undefined);
  const def = pick('default');
  const defReq = pick('defaultRequest');
  if (!min && !max && !def && !defReq) return undefined;
  const type = /\bper pod\b|\btype\W+Pod\b/i.test(text) ? 'Pod' : /\bpvc\b|\bpersistent ?volume ?claim/i.test(text) ? 'PersistentVolumeClaim' : 'Container';
  return { type, min, max, default: def, defaultRequest: defReq };
}

function quotaHard(text: string): Record<string, string> | undefined {
  const pod = /\b(?:max(?:imum)?\s+(?:of\s+)?|up to\s+|limit\w*\s+(?:\w+\s+){0,3}?to\s+)(\d+)\s+pods\b|\bpods\s*(?:to|=|:|of)?\s*(\d+)\b/i.exec(text);
  const out = quantityMap(text, {
    'requests.cpu': new RegExp(`\\b(?:requests?\\.cpu|cpu requests?)\\s*(?:\\w+\\s+){0,3}?(?:of|to|=|:|at)?\\s*${CPU_Q}(?!\\w)`, 'i'),
    'requests.memory': new RegExp(`\\b(?:requests?\\.memory|memory requests?)\\s*(?:\\w+\\s+){0,3}?(?:of|to|=|:|at)?\\s*${MEM_Q}`, 'i'),
    'limits.cpu': new RegExp(`\\b(?:limits?\\.cpu|cpu limits?)\\s*(?:\\w+\\s+){0,3}?(?:of|to|=|:|at)?\\s*${CPU_Q}(?!\\w)`, 'i'),
    'limits.memory': new RegExp(`\\b(?:limits?\\.memory|memory limits?)\\s*(?:\\w+\\s+){0,3}?(?:of|to|=|:|at)?\\s*${MEM_Q}`, 'i'),
  }) ?? {};
  const p = pod?.[1] ?? pod?.[2];
  if (p) out.pods = p;
  for (const m of text.matchAll(/\b(services|secrets|configmaps|persistentvolumeclaims|services\.nodeports|services\.loadbalancers)\s*(?:to|=|:|of)?\s*(\d+)\b/gi)) out[m[1].toLowerCase()] = m[2];
  return Object.keys(out).length > 0 ? out : undefined;
}

function hpa(text: string): ObjectIntentInput['autoscale'] {
  const num = (re: RegExp): number | undefined => {
    const m = re.exec(text);
    const g = m?.slice(1).find((x) => x !== undefined);
    const n = g !== undefined ? parseNumber(g) : null;
    return n !== null && Number.isInteger(n) ? n : undefined;
  };
  const min = num(/\bmin(?:imum)?(?:Replicas)?\s*(?:of|to|=|:|number of replicas(?: of| to)?)?\s*(\d+|[a-z]+)\s*(?:replicas?|pods?|instances?)?/i) ?? num(/\bbetween\s+(\d+)\s+and\s+\d+/i) ?? num(/\bfrom\s+(\d+)\s+to\s+\d+\s+(?:replicas|pods)/i);
  const max = num(/\bmax(?:imum)?(?:Replicas)?\s*(?:of|to|=|:|number of replicas(?: of| to)?)?\s*(\d+|[a-z]+)\s*(?:replicas?|pods?|instances?)?/i) ?? num(/\bbetween\s+\d+\s+and\s+(\d+)/i) ?? num(/\bfrom\s+\d+\s+to\s+(\d+)\s+(?:replicas|pods)/i) ?? num(/\bup to\s+(\d+)\s+(?:replicas|pods)/i);
  const cpu = num(/\bcpu\b[^.]*?(\d+)\s*%|(\d+)\s*%\s*(?:average\s+)?cpu|\btargetCPUUtilizationPercentage\W+(\d+)/i);
  const mem = num(/\bmemory\b[^.]*?(\d+)\s*%|(\d+)\s*%\s*(?:average\s+)?memory/i);
  if (min === undefined && max === undefined && cpu === undefined && mem === undefined) return undefined;
  return { minReplicas: min, maxReplicas: max, cpuUtilization: cpu, memoryUtilization: mem };
}

function budget(text: string): Pick<ObjectIntentInput, 'minAvailable' | 'maxUnavailable'> {
  const out: Pick<ObjectIntentInput, 'minAvailable' | 'maxUnavailable'> = {};
  const un = /\b(?:max(?:imum)?(?:Unavailable)?\s*(?:of\s+)?|at most\s+|no more than\s+|up to\s+)(\d+%?|[a-z]+)\s+(?:pods?\s+|replicas?\s+)?(?:to be\s+|can be\s+|be\s+)?unavailable|\bmaxUnavailable\W+(\d+%?)/i.exec(text);
  const av = /\b(?:min(?:imum)?(?:Available)?\s*(?:of\s+)?|at least\s+)(\d+%?|[a-z]+)\s+(?:pods?\s+|replicas?\s+)?(?:to be\s+|must be\s+|should be\s+|be\s+|remain\s+|stay\s+)?(?:available|running|up)|\bminAvailable\W+(\d+%?)/i.exec(text);
  const val = (s: string | undefined): number | string | undefined => {
    if (!s) return undefined;
    if (s.endsWith('%')) return s;
    const n = parseNumber(s);
    return n !== null ? n : undefined;
  };
  const u = val(un?.[1] ?? un?.[2]);
  const a = val(av?.[1] ?? av?.[2]);
  if (u !== undefined) out.maxUnavailable = u;
  if (a !== undefined) out.minAvailable = a;
  return out;
}

function servicePart(text: string): Pick<ObjectIntentInput, 'ports' | 'exposure' | 'selector' | 'target'> {
  const out: Pick<ObjectIntentInput, 'ports' | 'exposure' | 'selector' | 'target'> = {};
  const ports: PortSpec[] = findPorts(text).map((p) => ({ ...p, hostPort: undefined }));
  if (ports.length > 0) out.ports = ports;
  let type: NonNullable<ObjectIntentInput['exposure']>['type'] | undefined;
  if (/\bNodePort\b|\bnode port\b/i.test(text)) type = 'nodeport';
  else if (/\bLoadBalancer\b|\bload[- ]balancer\b/i.test(text)) type = 'loadbalancer';
  else if (/\bheadless\b|\bclusterIP\W+None\b/i.test(text)) type = 'headless';
  else if (/\bExternalName\b|\bexternal name\b/i.test(text)) type = 'external-name';
  else if (/\bClusterIP\b/.test(text)) type = 'internal';
  if (type) out.exposure = { type, explicitType: /\btype\W+(?:ClusterIP|NodePort|LoadBalancer|ExternalName)\b/i.test(text) || undefined };
  const ext = /\bexternalName\s*[:=]\s*["'`]?([\w.-]+)/.exec(text) ?? /\b(?:points?|pointing|resolv\w*|alias\w*|maps?|redirects?|forwards?)\s+to\s+["'`]?([a-z0-9-]+(?:\.[a-z0-9-]+)+)/i.exec(text);
  if (ext) out.exposure = { type: 'external-name', externalName: ext[1].replace(/[.]$/, '') };
  const labels = findLabels(text.replace(/\b(?:targets?|targeting|selects?|selecting|matching|match(?:es)?|for)\s+(?:(?:the\s+)?pods?\s+)?(?:with\s+)?(?:the\s+)?(?:labels?\s+)?(?=[\w./-]+\s*[:=])/gi, 'label '));
  if (Object.keys(labels).length > 0) out.selector = labels;
  return out;
}

function ingressPart(text: string): Pick<ObjectIntentInput, 'ports' | 'exposure' | 'target'> {
  const out: Pick<ObjectIntentInput, 'ports' | 'exposure' | 'target'> = {};
  const svc = new RegExp(`\\b(?:service|svc|backend)\\s+(?:named\\s+|called\\s+)?${NAME}`, 'i').exec(text) ?? new RegExp(`\\bservice\\s+named\\s+${NAME}|\\bto\\s+(?:the\\s+|an?\\s+)?(?:[\\w-]+\\s+)?service\\s+${NAME}`, 'i').exec(text);
  if (svc && !/^(?:named|called|the|a|and|on|to|in|that|which|listens?)$/.test(svc[1])) out.target = svc[1];
  const ports = findPorts(text);
  if (ports.length > 0) out.ports = ports;
  const host = /\bhost(?:name)?\s*(?:of|:|=|is)?\s*["'`]?([a-z0-9-]+(?:\.[a-z0-9-]+)+)/i.exec(text) ?? /\b(?:for|on|at)\s+(?:the\s+)?(?:domain\s+)?["'`]?((?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|local|example|internal|app|cloud))\b/i.exec(text);
  const path = /\bpath\s*(?:of|:|=|is)?\s*["'`]?(\/[\w./-]*)/i.exec(text) ?? /\bon\s+(?:the\s+)?["'`]?(\/[\w./-]*)["'`]?\s+path/i.exec(text);
  const cls = /\bingress ?class(?:Name)?\s*(?:named|of|:|=|is)?\s*["'`]?([a-z0-9-]+)/i.exec(text) ?? /\b(nginx|traefik|haproxy|contour|istio)\s+ingress\s+(?:controller|class)\b/i.exec(text);
  out.exposure = { type: 'ingress', host: host?.[1], path: path?.[1], tls: /\btls\b|\bhttps\b|\bcertificate\b/i.test(text) ? true : undefined, ingressClassName: cls && !/^(?:named|of|the)$/.test(cls[1]) ? cls[1] : undefined };
  return out;
}

function volumePart(kind: string, text: string): StorageSpec {
  const s: StorageSpec = { source: kind === 'PersistentVolume' ? 'host-path' : 'pvc' };
  const sz = size(text);
  if (sz) s.size = sz;
  const modes = accessModes(text);
  if (modes) s.accessModes = modes;
  const sc = storageClass(text);
  if (sc) s.storageClass = sc;
  if (kind === 'PersistentVolume') {
    const nfs = /\bnfs\b/i.test(text);
    const server = /\b(?:server|host)\s+(?:located\s+|running\s+)?(?:at\s+|on\s+)?["'`]?(\d{1,3}(?:\.\d{1,3}){3}|[a-z0-9-]+(?:\.[a-z0-9-]+)+)/i.exec(text)?.[1];
    const path = /["'`]?(\/[\w./-]*[\w/])["'`]?/.exec(text)?.[1];
    if (nfs) {
      s.source = 'nfs';
      s.server = server;
    }
    if (path) s.ref = path;
    const reclaim = /\b(Retain|Delete|Recycle)\b/.exec(text);
    if (reclaim) s.hostPathType = undefined;
  }
  return s;
}

/** Fields for one requested object, read from its sentences. */
export function objectFields(kind: string, text: string, quoted = false): Partial<ObjectIntentInput> {
  switch (kind) {
    case 'ConfigMap':
      return { data: keyValues(text, quoted) };
    case 'Secret': {
      const type = /\bkubernetes\.io\/[\w-]+/.exec(text)?.[0] ?? (/\btls\b/i.test(text) ? 'kubernetes.io/tls' : /\bdocker ?config|\bregistry credentials/i.test(text) ? 'kubernetes.io/dockerconfigjson' : undefined);
      return { data: keyValues(text, quoted), secretType: type };
    }
    case 'Role':
    case 'ClusterRole':
      return { rules: rbacRules(text) };
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return { subjects: subjects(text), roleRef: roleRef(text) };
    case 'PersistentVolume':
    case 'PersistentVolumeClaim':
      return { storage: volumePart(kind, text), reclaimPolicy: /\b(Retain|Delete|Recycle)\b/.exec(text)?.[1] as 'Retain' | 'Delete' | 'Recycle' | undefined };
    case 'StorageClass': {
      const prov = /\b(?:using|uses|use|with|by)\s+(?:the\s+|a\s+)?["'`]?([a-z0-9][\w./-]*)["'`]?\s+provisioner/i.exec(text) ?? /\bprovisioner\s*(?:named|called|of|:|=|is)?\s*["'`]?([a-z0-9][\w./-]*)/i.exec(text);
      const params: Record<string, string> = {};
      for (const m of text.matchAll(/\b(type|fsType|replication-type|iopsPerGB|encrypted|skuName|storageaccounttype|kind)\s*(?:[:=]|of|set to)?\s*["'`]?([\w.-]*\w)["'`]?/g)) params[m[1]] = m[2];
      const reclaim = /\breclaim\s*policy\s*(?:of|:|=|is|to)?\s*["'`]?(Retain|Delete)/i.exec(text);
      const binding = /\bWaitForFirstConsumer\b|\bwait for (?:the )?first consumer\b/i.test(text) ? 'WaitForFirstConsumer' : /\bvolumeBindingMode\W+Immediate\b/i.test(text) ? 'Immediate' : undefined;
      return {
        provisioner: prov && !/^(?:the|a|named|called|of|with|and|to)$/.test(prov[1]) ? prov[1] : undefined,
        parameters: Object.keys(params).length > 0 ? params : undefined,
        reclaimPolicy: reclaim?.[1] as 'Retain' | 'Delete' | undefined,
        volumeBindingMode: binding,
        allowVolumeExpansion: /\b(?:allow|enable|support)s?\b[^.]*\bexpan/i.test(text) ? true : undefined,
      };
    }
    case 'Service':
      return servicePart(text);
    case 'Ingress':
      return ingressPart(text);
    case 'HorizontalPodAutoscaler':
      return { autoscale: hpa(text), ...targetOf(text) };
    case 'PodDisruptionBudget':
      return { ...budget(text), selector: nonEmpty(findLabels(text)) };
    case 'LimitRange':
      return { limits: limitRange(text) };
    case 'ResourceQuota':
      return { hard: quotaHard(text) };
    case 'NetworkPolicy':
      return { selector: nonEmpty(findLabels(text)), ports: findPorts(text) };
    default:
      return {};
  }
}

function targetOf(text: string): Pick<ObjectIntentInput, 'target' | 'targetKind'> {
  const m = new RegExp(`\\b(deployment|stateful ?set|replica ?set)\\s+(?:named\\s+|called\\s+)?${NAME}`, 'i').exec(text);
  if (!m || /^(?:named|called|the|to|and)$/.test(m[2])) return {};
  const k = m[1].toLowerCase().replace(/\s+/g, '');
  return { target: m[2], targetKind: k === 'statefulset' ? 'StatefulSet' : k === 'replicaset' ? 'ReplicaSet' : 'Deployment' };
}

function nonEmpty(r: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(r).length > 0 ? r : undefined;
}
