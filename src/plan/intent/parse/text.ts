/**
 * Small text helpers shared by the phrase extractors: normalised prose, sentences, and the token
 * shape requests use for names.
 */

/** Curly quotes and odd spaces to ASCII so one set of patterns covers pasted text. */
export function normalise(text: string): string {
  return text
    .replace(/[\u201C\u201D\u201E\u00AB\u00BB]/g, '"')
    .replace(/[\u2018\u2019\u201A]/g, "'")
    .replace(/[\u00A0\u2002-\u200B]/g, ' ')
    .replace(/\r\n?/g, '\n');
}

/**
 * Sentences, keeping list items apart ("1. ...", "- ..."): a sentence ends at ". ", "? ", "! ",
 * "; " or a line break, except inside quotes and in dotted tokens like "v2.5.2" or "kube-system.svc".
 */
export function sentences(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    cur += c;
    if (quote) {
      // A quote never spans lines: an apostrophe-like stray quote must not swallow the rest.
      if (c === quote) quote = null;
      if (c !== '\n') continue;
      quote = null;
    }
    if (c === '"' || c === '`') {
      quote = c;
      continue;
    }
    const next = text[i + 1] ?? ' ';
    // Requests are often hard-wrapped mid-sentence: a line break ends a sentence only before a list
    // item or a capital letter, or after punctuation.
    if (c === '\n' && !/^\s*(?:[-*•]|\d+[.)]|[A-Z])/.test(text.slice(i + 1, i + 8)) && !/[.:;!?]\s*\n$/.test(cur) && cur.trim() !== '') {
      cur = cur.slice(0, -1) + ' ';
      continue;
    }
    if (c === '\n' || ((c === '.' || c === '?' || c === '!' || c === ';') && /\s/.test(next))) {
      if (cur.trim() !== '') out.push(cur.trim());
      cur = '';
    }
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** A Kubernetes-style name: DNS labels/subdomains, possibly quoted. */
export const NAME = `["'\`]?([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)["'\`]?`;
