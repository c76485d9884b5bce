/**
 * Pod-level settings asked for in words: namespace, service account, restart policy, process
 * namespace sharing, DNS, sysctls, seccomp, privilege escalation, capabilities ("allow changing the
 * system clock" → SYS_TIME), image pull policy, node selection, replicas.
 */
import type { PodSpecIntent } from '../spec.js';
import { NUMBER_SOURCE, parseNumber } from './numbers.js';
import { NAME, sentences } from './text.js';

export function findNamespace(text: string): string | undefined {
  const m = new RegExp(`\\b(?:in|into|to|within|under|inside|for)\\s+(?:the\\s+)?(?:namespace|ns)\\s*(?:named|called|:)?\\s*${NAME}`, 'i').exec(text)
    ?? new RegExp(`\\b(?:in|into|to|within|under|inside)\\s+(?:the\\s+|a\\s+)?${NAME}\\s+(?:namespace|ns)\\b`, 'i').exec(text)
    ?? new RegExp(`\\bnamespace\\s*(?:[:=]|named|called|is|should be)\\s*${NAME}`, 'i').exec(text);
  const ns = m?.[1];
  if (!ns || /^(?:a|an|the|same|default-ish|specified|given|new|its|their|each|every|one|another|other)$/.test(ns)) return undefined;
  // "the dev namespace" written as a short form of development: keep what was written.
  return ns;
}

export function findServiceAccount(text: string): string | undefined {
  const m = new RegExp(`\\b(?:uses?|using|with|run(?:s)? as|under|assign|attach)\\s+(?:the\\s+|a\\s+)?(?:service ?account|SA)\\s*(?:named|called)?\\s*${NAME}`, 'i').exec(text)
    ?? new RegExp(`\\bservice ?account(?:Name)?\\s*(?:[:=]|named|called|is|should be)\\s*${NAME}`, 'i').exec(text);
  const sa = m?.[1];
  if (!sa || /^(?:in|the|a|for|and|to|with|that|which)$/.test(sa)) return undefined;
  return sa;
}

/** Capabilities described in words, mapped to their Linux names (capabilities(7)). */
const CAPABILITY_WORDS: readonly [RegExp, string][] = [
  [/\bsystem clock\b|\bset(?:ting)? the (?:system )?time\b|\bclock\b/i, 'SYS_TIME'],
  [/\brouting tables?\b|\bnetwork (?:admin|administration|interfaces?|configuration)\b|\biptables\b|\bfirewall rules\b/i, 'NET_ADMIN'],
  [/\b(?:bind|listen)\b[^.]*\b(?:low|privileged) ports?\b|\bports? below 1024\b/i, 'NET_BIND_SERVICE'],
  [/\braw sockets?\b|\bping\b.*\bcapabilit/i, 'NET_RAW'],
  [/\b(?:change|changing) file owner(?:ship)?\b|\bchown\b/i, 'CHOWN'],
  [/\btrace processes\b|\bptrace\b/i, 'SYS_PTRACE'],
  [/\bkill (?:other )?processes\b/i, 'KILL'],
];
const CAP_NAMES = /\b(?:CAP_)?(NET_ADMIN|NET_RAW|NET_BIND_SERVICE|SYS_TIME|SYS_ADMIN|SYS_PTRACE|SYS_MODULE|SYS_NICE|SYS_RESOURCE|SYS_CHROOT|CHOWN|KILL|SETUID|SETGID|DAC_OVERRIDE|FOWNER|IPC_LOCK|AUDIT_WRITE|MKNOD|SETPCAP|NET_BROADCAST|LINUX_IMMUTABLE|SYSLOG|WAKE_ALARM|BPF|PERFMON)\b/g;

export function findCapabilities(text: string): string[] {
  if (!/\bcapabilit|\bprivileges?\b|\ballow(?:ing|s)?\b|\bgrant/i.test(text)) return [];
  // In the order the request names them (a capability list is ordered in the manifest).
  const found: { at: number; cap: string }[] = [];
  for (const m of text.matchAll(CAP_NAMES)) found.push({ at: m.index ?? 0, cap: m[1] });
  for (const [re, cap] of CAPABILITY_WORDS) {
    const m = re.exec(text);
    if (m) found.push({ at: m.index, cap });
  }
  const out: string[] = [];
  for (const f of found.sort((a, b) => a.at - b.at)) if (!out.includes(f.cap)) out.push(f.cap);
  return out;
}

export function findRestartPolicy(text: string): PodSpecIntent['restartPolicy'] {
  if (/\brestart(?:s|ed)?\s+(?:only\s+)?(?:when|if|on)\s+(?:it\s+)?fail|\bOnFailure\b|\bon failure\b/i.test(text)) return 'OnFailure';
  if (/\bnever\s+restart|\bnot\s+(?:be\s+)?restart|\bno\s+restart|\brestartPolicy\W+Never\b|\bdon'?t restart/i.test(text)) return 'Never';
  if (/\balways\s+restart|\brestartPolicy\W+Always\b/i.test(text)) return 'Always';
  return undefined;
}

export function findPullPolicy(text: string): 'Always' | 'IfNotPresent' | 'Never' | undefined {
  if (/\b(?:only\s+)?pull\b[^.]*\b(?:not|isn'?t|doesn'?t)\s+(?:already\s+)?(?:exist|present|available)|\bIfNotPresent\b|\bif not present\b|\bonly if (?:it is )?missing\b/i.test(text)) return 'IfNotPresent';
  if (/\bnever\s+pull|\bimagePullPolicy\W+Never\b/i.test(text)) return 'Never';
  if (/\balways\s+pull|\bpull\b[^.]*\bevery time\b|\bimagePullPolicy\W+Always\b/i.test(text)) return 'Always';
  return undefined;
}

export function findReplicas(text: string): number | undefined {
  const num = NUMBER_SOURCE;
  const pats = [
    // No \\b before the number: "-2 replicas" must keep its sign.
    new RegExp(`(?<![\\w.-])${num}\\s+(?:[a-z]+\\s+)?(?:replicas?|instances?|copies)\\b`, 'i'),
    new RegExp(`\\breplicas?\\s*(?:count\\s*)?(?:of|to|=|:|is|set to|should be)\\s*${num}`, 'i'),
    new RegExp(`\\bscale[sd]?\\s+(?:it\\s+|\\w+\\s+)?(?:up\\s+|down\\s+|out\\s+)?to\\s+${num}`, 'i'),
    new RegExp(`\\bruns?\\s+(?:exactly\\s+)?${num}\\s+pods?\\b`, 'i'),
  ];
  for (const re of pats) {
    const m = re.exec(text);
    if (!m) continue;
    const n = parseNumber(m[1]);
    // Absurd counts are kept (clarify asks about them) but must stay representable.
    if (n !== null && Number.isInteger(n)) return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(n, Number.MAX_SAFE_INTEGER));
  }
  return undefined;
}

/** The rest of the pod options (all optional; only what the text asks for is set). */
export function findPodOptions(text: string): Partial<PodSpecIntent> {
  const out: Partial<PodSpecIntent> = {};
  const sa = findServiceAccount(text);
  if (sa) out.serviceAccountName = sa;
  const rp = findRestartPolicy(text);
  if (rp) out.restartPolicy = rp;
  if (/\bshare(?:s|d)?\b[^.]*\bprocess(?:es)?\s+namespace|\bshareProcessNamespace\b/i.test(text)) out.shareProcessNamespace = true;
  if (/\bhost ?network\b/i.test(text) && !/\bno(?:t)?\b[^.]{0,20}\bhost ?network/i.test(text)) out.hostNetwork = true;
  if (/\bhost ?pid\b/i.test(text)) out.hostPID = true;
  const ns = [...text.matchAll(/\bname ?servers?\s*(?:of|:|=)?\s*["'`]?(\d{1,3}(?:\.\d{1,3}){3})/gi)].map((m) => m[1]);
  if (ns.length > 0) out.dnsNameservers = ns;
  const searches = [...text.matchAll(/\bsearch(?:es)?\s+(?:domains?\s+)?["'`]?([a-z0-9-]+(?:\.[a-z0-9-]+)+)/gi)].map((m) => m[1]);
  if (searches.length > 0) out.dnsSearches = searches;
  const policy = /\bdnsPolicy\W+(ClusterFirst(?:WithHostNet)?|Default|None)\b/.exec(text);
  if (policy) out.dnsPolicy = policy[1];
  if (/\bsysctls?\b/i.test(text)) {
    const list = [...text.matchAll(/\b([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)\s*[:=]\s*["'`]([^"'`\n]*)["'`]/g)].map((m) => ({ name: m[1], value: m[2] }));
    if (list.length > 0) out.sysctls = list;
  }
  if (/\bseccomp\b|\bsecure computing\b/i.test(text) && /\bdefault\b|\bRuntimeDefault\b/i.test(text)) out.seccompRuntimeDefault = true;
  if (/\brun(?:s)?\s+as\s+(?:a\s+)?non[- ]?root\b|\brunAsNonRoot\b/i.test(text)) out.runAsNonRoot = true;
  const uid = /\b(?:run(?:s)?\s+as\s+(?:user|uid)|runAsUser\s*(?:of|to|=|:)?|user id|uid)\s*(\d+)/i.exec(text);
  if (uid) out.runAsUser = Number(uid[1]);
  const gid = /\b(?:run(?:s)?\s+as\s+group|runAsGroup\s*(?:of|to|=|:)?|group id|gid|(?:primary\s+)?group)\s*(\d+)/i.exec(text);
  if (gid && (uid || /runAsGroup|group id|gid/i.test(gid[0]))) out.runAsGroup = Number(gid[1]);
  // "host aliases mapping 127.0.0.1 to foo.local and bar.local"
  const alias = /\bhost ?aliases?\b[^.]*?(\d{1,3}(?:\.\d{1,3}){3})\s+(?:to|for|as|=>|->)\s+((?:[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:\s*,\s*|\s+and\s+)?)+)/i.exec(text);
  if (alias) out.hostAliases = [{ ip: alias[1], hostnames: alias[2].split(/\s*,\s*|\s+and\s+/).map((h) => h.replace(/[.]$/, '')).filter(Boolean) }];
  const pull = /\bimage ?pull ?secrets?\s*(?:named|called|of|:|=)?\s*["'`]?([a-z0-9][a-z0-9.-]*[a-z0-9])/i.exec(text) ?? /\b(?:pull|registry)\s+(?:credentials?|secret)\s+(?:from\s+)?(?:the\s+secret\s+)?["'`]?([a-z0-9][a-z0-9.-]*[a-z0-9])/i.exec(text);
  if (pull && !/^(?:named|called|the|and|for|to)$/.test(pull[1])) out.imagePullSecrets = [pull[1]];
  // "requires nodes with label topology.kubernetes.io/zone in a or b"
  const aff = /\b(?:requires?|only on|must run on)\s+(?:nodes?|a node)\s+(?:with|having|whose)\s+(?:the\s+)?label\s+["'`]?([\w./-]+)["'`]?\s+(?:in|being|is|of)\s+((?:["'`]?[\w.-]+["'`]?(?:\s*,\s*|\s+or\s+|\s*,\s*or\s+)?)+)/i.exec(text);
  if (aff) out.nodeAffinity = [{ key: aff[1], operator: 'In', values: aff[2].split(/\s*,\s*(?:or\s+)?|\s+or\s+/).map((v) => v.replace(/^["'`]|["'`.]+$/g, '')).filter(Boolean) }];
  // "a toleration for key example-key with operator Exists and effect NoSchedule", "tolerates key=value:NoSchedule"
  const tol = /\btolerat\w*\b[^.]*?\bkey\s+["'`]?([\w./-]+)["'`]?/i.exec(text);
  const tolKv = /\btolerat\w*\b[^.]*?([\w./-]+)=([\w.-]+):(NoSchedule|PreferNoSchedule|NoExecute)\b/.exec(text);
  if (tolKv) out.tolerations = [{ key: tolKv[1], operator: 'Equal', value: tolKv[2], effect: tolKv[3] }];
  else if (tol) {
    const op = /\boperator\s+["'`]?(Exists|Equal)/i.exec(text)?.[1];
    const value = /\bvalue\s+["'`]?([\w.-]+)/i.exec(text)?.[1];
    const effect = /\b(NoSchedule|PreferNoSchedule|NoExecute)\b/.exec(text)?.[1];
    out.tolerations = [{ key: tol[1], operator: op ?? (value ? 'Equal' : 'Exists'), value, effect }];
  }
  const fsg = /\bfs ?Group\s*(?:of|to|=|:)?\s*(\d+)/i.exec(text);
  if (fsg) out.fsGroup = Number(fsg[1]);
  const grace = /\btermination ?grace ?period(?:Seconds)?\s*(?:of|to|=|:)?\s*(\d+)/i.exec(text);
  if (grace) out.terminationGracePeriodSeconds = Number(grace[1]);
  const sel = /\bnodes?\s+(?:labell?ed|with (?:the )?label)\s+["'`]?([\w./-]+)\s*[=:]\s*["'`]?([\w-]+(?:\.[\w-]+)*)/i.exec(text) ?? /\bnodeSelector\W+([\w./-]+)\s*[=:]\s*["'`]?([\w-]+(?:\.[\w-]+)*)/.exec(text);
  if (sel) out.nodeSelector = { [sel[1]]: sel[2] };
  const prio = /\bpriority ?class(?:Name)?\s*(?:named|called|of|=|:)?\s*["'`]?([a-z0-9][a-z0-9-]*)/i.exec(text);
  if (prio && !/^(?:named|called|the|a)$/.test(prio[1])) out.priorityClassName = prio[1];
  const host = /\bhostname\s*(?:of|to|=|:|is|should be)\s*["'`]?([a-z0-9][a-z0-9-]*)/.exec(text);
  if (host && !/^(?:of|to|is|the)$/.test(host[1])) out.hostname = host[1];
  return out;
}

/** Whether a sentence list mentions privilege escalation being prevented. */
export function noPrivilegeEscalation(text: string): boolean {
  return sentences(text).some((s) => /\b(?:prevent|disallow|no|block|forbid|without|disable|not allow)\b[^.]*\bprivilege escalation\b|\ballowPrivilegeEscalation\W+false\b/i.test(s));
}

export function parseIntWord(s: string): number | undefined {
  const n = parseNumber(s);
  return n !== null && Number.isInteger(n) ? n : undefined;
}
