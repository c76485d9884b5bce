/**
 * Template slots: the unit the miner compares and merges. A slot is one token of a message,
 * or a run of all-variable tokens collapsed into one, with a grouping key and a printed text.
 */
import { collapseWildcards, PIECE_SPLIT, WILDCARD, type Token } from './masks.js';

export interface Slot {
  /** Grouping key: strong and weak variables masked; WILDCARD for variable slots. */
  key: string;
  /** What the template prints: strong variables masked, weak ones kept until they differ. */
  text: string;
}

/**
 * Turn tokens into slots, collapsing runs of all-variable tokens into one slot, so a
 * parameter that spans a varying number of tokens (`0 bytes` / `1190 bytes (1.16 KB)`)
 * keeps the message length, and so its branch, stable.
 */
export function toSlots(tokens: readonly Token[], maxTokens: number): Slot[] {
  const slots: Slot[] = [];
  const n = Math.min(tokens.length, maxTokens);
  for (let i = 0; i < n; i++) {
    const t = tokens[i];
    const prev = slots[slots.length - 1];
    if (t.allVar && prev && prev.key === WILDCARD) {
      prev.text = prev.text + ' ' + t.strong;
      continue;
    }
    slots.push(t.allVar ? { key: WILDCARD, text: t.strong } : { key: t.key, text: t.strong });
  }
  if (tokens.length > maxTokens) {
    const prev = slots[slots.length - 1];
    if (prev && prev.key === WILDCARD) prev.text = WILDCARD;
    else slots.push({ key: WILDCARD, text: WILDCARD });
  }
  return slots;
}

/** Text pieces cut at every single separator char, so `()` and `(x)` align piece by piece. */
const CHAR_SPLIT = /([=:,;()[\]{}"'|/@#<>*&!?\\])/;

/** Merge two tokens' texts of one shape: agreeing pieces stay, the others become variables. */
function mergeTokenText(x: string, y: string): string | null {
  if (x === y) return x;
  const px = x.split(CHAR_SPLIT);
  const py = y.split(CHAR_SPLIT);
  if (px.length !== py.length) return null;
  let out = '';
  for (let i = 0; i < px.length; i++) {
    if (i % 2 === 1) {
      if (px[i] !== py[i]) return null;
      out += px[i];
    } else out += px[i] === py[i] ? px[i] : WILDCARD;
  }
  return collapseWildcards(out);
}

/** Merge two slot texts token by token, or null when their shapes differ. */
export function mergeTexts(a: string, b: string): string | null {
  if (a === b) return a;
  const ta = a.split(' ');
  const tb = b.split(' ');
  if (ta.length !== tb.length) return null;
  const out = ta.map((t, i) => mergeTokenText(t, tb[i]));
  return out.every((t) => t !== null) ? out.join(' ') : null;
}

/** Merge two slots: equal keys keep their key and merge texts; otherwise keep agreeing pieces. */
export function mergeSlot(a: Slot, b: Slot): Slot {
  if (a.key === b.key) return { key: a.key, text: mergeTexts(a.text, b.text) ?? a.key };
  if (a.key === WILDCARD || b.key === WILDCARD) return { key: WILDCARD, text: WILDCARD };
  // Same punctuation skeleton (`user=root` vs `user=test`): keep the agreeing pieces so the
  // constant part still anchors the template.
  const ka = a.key.split(PIECE_SPLIT);
  const kb = b.key.split(PIECE_SPLIT);
  if (ka.length === kb.length && ka.length > 1) {
    let key = '';
    let text = '';
    let anchored = false;
    const ta = a.text.split(PIECE_SPLIT);
    const tb = b.text.split(PIECE_SPLIT);
    const sameText = ta.length === ka.length && tb.length === kb.length;
    for (let i = 0; i < ka.length; i++) {
      if (i % 2 === 1) {
        if (ka[i] !== kb[i]) return { key: WILDCARD, text: WILDCARD };
        key += ka[i];
        text += ka[i];
      } else if (ka[i] === kb[i]) {
        key += ka[i];
        text += sameText && ta[i] === tb[i] ? ta[i] : ka[i] === '' ? '' : sameText ? WILDCARD : ka[i];
        if (ka[i] !== '' && !ka[i].includes(WILDCARD)) anchored = true;
      } else {
        key += WILDCARD;
        text += WILDCARD;
      }
    }
    if (anchored) return { key: collapseWildcards(key), text: collapseWildcards(text) };
  }
  return { key: WILDCARD, text: WILDCARD };
}

/** Align two slot lists by LCS over keys; unmatched stretches become one variable slot. */
export function lcsMerge(a: readonly Slot[], b: readonly Slot[]): Slot[] {
  const n = a.length;
  const m = b.length;
  const dp: Uint16Array[] = [];
  for (let i = 0; i <= n; i++) dp.push(new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) dp[i][j] = a[i].key === b[j].key ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  const out: Slot[] = [];
  const pushVar = () => {
    const prev = out[out.length - 1];
    if (!prev || prev.key !== WILDCARD) out.push({ key: WILDCARD, text: WILDCARD });
    else prev.text = WILDCARD;
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i].key === b[j].key) {
      const s = mergeSlot(a[i], b[j]);
      const prev = out[out.length - 1];
      if (s.key === WILDCARD && prev && prev.key === WILDCARD) prev.text = WILDCARD;
      else out.push(s);
      i++;
      j++;
    } else if (j >= m || (i < n && dp[i + 1][j] >= dp[i][j + 1])) {
      pushVar();
      i++;
    } else {
      pushVar();
      j++;
    }
  }
  return out;
}

/** The exact grouping key of a slot list. */
export function slotsKey(slots: readonly Slot[]): string {
  return slots.map((s) => s.key).join('\u0002');
}

/** The constant skeleton of a template: its non-variable keys, in order. */
export function skeleton(slots: readonly Slot[]): string {
  return slots.filter((s) => s.key !== WILDCARD).map((s) => s.key).join('\u0002');
}

/** The punctuation skeleton of a slot key: what is left once words and variables are dropped. */
export function shape(key: string): string {
  return key.split(PIECE_SPLIT).filter((_, i) => i % 2 === 1).join('');
}

/** A slot key as a pattern: each wildcard stands for any non-empty text. */
export function slotPattern(key: string): RegExp {
  const src = key
    .split(WILDCARD)
    .map((lit) => lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^]+?');
  return new RegExp(`^${src}$`);
}

/** How specific a template is: the length of its constant text. */
export function specificity(slots: readonly Slot[]): number {
  let n = 0;
  for (const s of slots) for (const ch of s.key) if (ch !== WILDCARD) n++;
  return n;
}
