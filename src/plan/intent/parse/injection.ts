/**
 * Prompt-injection screening. A request is data, not instructions to the planner: sentences that
 * try to steer the system ("ignore previous instructions", "you are now…", "bypass the policy")
 * are cut out before any field is read, and everything from the trigger to the end of its
 * sentence goes with them, so "ignore the rules and make it privileged" adds nothing.
 */
import { sentences } from './text.js';

export interface InjectionFlag {
  /** The sentence that was removed. */
  text: string;
  /** What gave it away. */
  trigger: string;
}

const TRIGGERS: readonly [string, RegExp][] = [
  ['override instructions', /\b(?:ignore|disregard|forget|override|overrule|skip)\b[^.]{0,40}\b(?:previous|prior|above|earlier|all|any|your|the|system|original)\b[^.]{0,30}\b(?:instructions?|rules?|guidelines?|guardrails?|polic(?:y|ies)|constraints?|prompts?|restrictions?|checks?|validation|review|approvals?)\b/i],
  ['role play', /\b(?:you are now|act as|pretend (?:to be|you are)|from now on you|developer mode|jailbreak|DAN mode)\b/i],
  ['prompt markup', /<\/?(?:system|assistant|instructions?)>|\[\/?INST\]|###\s*(?:system|instruction)|BEGIN (?:SYSTEM|PROMPT)/i],
  ['policy bypass', /\b(?:bypass|circumvent|disable|turn off|get around|evade)\b[^.]{0,30}\b(?:polic(?:y|ies)|guardrails?|security|approvals?|review|validation|checks?|admission|psp|pod security)\b/i],
  ['approval bypass', /\b(?:without|no need for|don'?t (?:ask|wait) for)\b[^.]{0,20}\b(?:approval|review|confirmation)\b/i],
  ['secret exfiltration', /\b(?:print|reveal|show|send|exfiltrate|dump|output)\b[^.]{0,30}\b(?:system prompt|api keys?|credentials|tokens?|kubeconfig|secrets? of)\b/i],
];

export interface Screened {
  /** The request with flagged sentences removed. */
  text: string;
  flags: InjectionFlag[];
}

export function screenInjection(text: string): Screened {
  const flags: InjectionFlag[] = [];
  const kept: string[] = [];
  for (const s of sentences(text)) {
    const hit = TRIGGERS.find(([, re]) => re.test(s));
    if (hit) flags.push({ text: s, trigger: hit[0] });
    else kept.push(s);
  }
  if (flags.length === 0) return { text, flags };
  return { text: kept.join('\n'), flags };
}

/**
 * Requests that widen privileges (privileged mode, host namespaces, cluster-admin bindings,
 * dangerous capabilities). Not injection by themselves, but never granted silently: the hardened
 * profile asks for explicit confirmation instead of generating them.
 */
export const PRIVILEGE_PATTERNS: readonly [string, RegExp][] = [
  ['privileged', /\bprivileged\b(?!\s+escalation)/i],
  ['hostNetwork', /\bhost ?network\b/i],
  ['hostPID', /\bhost ?pid\b|\bhost(?:'s)? process (?:namespace|ids?)\b/i],
  ['hostIPC', /\bhost ?ipc\b/i],
  ['cluster-admin', /\bcluster-admin\b/i],
  ['run as root', /\brun(?:s|ning)? as root\b|\brunAsUser:?\s*0\b/i],
  ['SYS_ADMIN', /\bSYS_ADMIN\b|\bALL capabilities\b/i],
];

export function privilegeRequests(text: string): string[] {
  return PRIVILEGE_PATTERNS.filter(([, re]) => re.test(text)).map(([name]) => name);
}
