/**
 * Flags untrusted text that reads like an attempt to instruct a language model ("ignore previous instructions",
 * fake role markers, chat-template tokens). A flag does not block anything and is not what keeps Autonomic safe —
 * replies are schema-validated and advisory, so an obeyed injection still cannot widen what is done — it tells a
 * human reviewer (and the journal) that someone is trying.
 */

const MARKERS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'ignore-instructions', pattern: /\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|every\s+)?(?:of\s+)?(?:the\s+|your\s+|my\s+)?(?:previous|prior|above|earlier|preceding|system|original)\s+(?:instructions?|prompts?|rules|messages|directions|context)/i },
  { name: 'ignore-instructions', pattern: /\bdo\s+not\s+(?:follow|obey)\s+(?:the\s+|your\s+)?(?:previous|above|system|original)\b/i },
  { name: 'new-instructions', pattern: /\b(?:new|updated|real|actual)\s+(?:system\s+)?instructions?\s*:/i },
  { name: 'role-change', pattern: /\byou\s+are\s+now\s+(?:a|an|the|in|my)\b/i },
  { name: 'role-change', pattern: /\b(?:act|behave)\s+as\s+(?:if\s+you\s+were\s+)?(?:an?\s+)?(?:unrestricted|jailbroken|different)\b/i },
  { name: 'system-prompt', pattern: /\b(?:reveal|print|show|repeat)\s+(?:your\s+|the\s+)?system\s+prompt\b/i },
  { name: 'role-marker', pattern: /(?:^|\n)\s*(?:###\s*)?(?:system|assistant)\s*:/i },
  { name: 'template-token', pattern: /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\|>|\[\/?INST\]|<<\/?SYS>>/i },
  { name: 'jailbreak', pattern: /\b(?:jailbreak|DAN\s+mode|developer\s+mode\s+enabled)\b/i },
];

/** Names of the injection markers found in the text; empty when none. */
export function injectionMarkers(text: string): string[] {
  const found = new Set<string>();
  for (const m of MARKERS) if (m.pattern.test(text)) found.add(m.name);
  return [...found];
}

export function looksLikePromptInjection(text: string): boolean {
  return MARKERS.some((m) => m.pattern.test(text));
}
