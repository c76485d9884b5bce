/**
 * Streaming log-template miner in the Drain family (He et al., ICWS 2017), with the
 * improvements later work showed matter most when one configuration must fit every system:
 *
 * - Drain3-style masking before the tree (masks.ts), at the piece level inside tokens, so
 *   `uid=0` and `blk_123` mask only their variable part.
 * - Runs of all-variable tokens collapse to one slot, so a parameter that spans a variable
 *   number of tokens (timestamps, lists, free-text names) does not change the tree branch.
 * - Weak variables (words with a digit) group like variables but print as constants when
 *   every message agrees (Brain's "frequent tokens are constant" insight, per position).
 * - Post-hoc merging: clusters whose constant tokens are identical once variable slots are
 *   aligned by longest common subsequence are merged, then clusters that render to the
 *   same template string are merged (the evaluator groups by string anyway).
 */
import { collapseWildcards, renderTemplate, tokenize, WILDCARD, type Token } from './masks.js';

export interface MinerConfig {
  /** Drain similarity threshold: fraction of positions that must match a cluster's constants. */
  similarity: number;
  /** How many leading slots index the tree below the length level (Drain depth - 2). */
  prefixDepth: number;
  /** Messages are cut to this many tokens; the rest becomes one variable slot. */
  maxTokens: number;
  /**
   * A word position becomes a variable only when more than this many clusters that agree
   * everywhere else disagree there. Few distinct words (GET/POST, Started/Stopped) are
   * different events; many (user names, hosts) are a parameter.
   */
  maxConstantVariants: number;
}

/** The one configuration used for every system. */
export const DEFAULT_MINER_CONFIG: MinerConfig = { similarity: 0.9, prefixDepth: 1, maxTokens: 200, maxConstantVariants: 3 };

interface Slot {
  /** Grouping key: strong and weak variables masked; WILDCARD for variable slots. */
  key: string;
  /** What the template prints: strong variables masked, weak ones kept until they differ. */
  text: string;
}

export interface Cluster {
  id: number;
  slots: Slot[];
  size: number;
}

export interface MineResult {
  clusterId: number;
  template: string;
  isNew: boolean;
}

const PIECE_SPLIT = /([=:,;()[\]{}"'|/@#<>*&!?\\]+)/;

/** Turn tokens into slots, collapsing runs of all-variable tokens into one slot. */
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

/** Merge two slot texts that share a key: keep agreeing pieces, mask the rest. */
function mergeText(a: Slot, b: Slot): string {
  if (a.text === b.text) return a.text;
  if (a.key === WILDCARD || b.key === WILDCARD || a.key !== b.key) return WILDCARD;
  const pa = a.text.split(PIECE_SPLIT);
  const pb = b.text.split(PIECE_SPLIT);
  if (pa.length !== pb.length) return a.key;
  let out = '';
  for (let i = 0; i < pa.length; i++) out += pa[i] === pb[i] ? pa[i] : i % 2 === 1 ? pa[i] : WILDCARD;
  return collapseWildcards(out);
}

function mergeSlot(a: Slot, b: Slot): Slot {
  if (a.key === b.key) return { key: a.key, text: mergeText(a, b) };
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

/** Drain similarity: matching constant slots over length; ties go to more variables. */
function similarity(tmpl: readonly Slot[], line: readonly Slot[]): [number, number] {
  let same = 0;
  let vars = 0;
  for (let i = 0; i < tmpl.length; i++) {
    if (tmpl[i].key === WILDCARD) {
      vars++;
      if (line[i].key === WILDCARD) same++;
      continue;
    }
    if (tmpl[i].key === line[i].key) same++;
  }
  return [same / tmpl.length, vars];
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

/** The constant skeleton of a template: its non-variable keys, in order. */
function skeleton(slots: readonly Slot[]): string {
  return slots.filter((s) => s.key !== WILDCARD).map((s) => s.key).join('\u0002');
}

export class TemplateMiner {
  readonly config: MinerConfig;
  private readonly clusters: Cluster[] = [];
  /** length -> prefix key -> clusters (the fixed-depth Drain tree). */
  private readonly tree = new Map<number, Map<string, Cluster[]>>();
  /** Union-find over cluster ids, filled by post-hoc merging. */
  private readonly parent: number[] = [];

  constructor(config: Partial<MinerConfig> = {}) {
    this.config = { ...DEFAULT_MINER_CONFIG, ...config };
  }

  private prefix(slots: readonly Slot[]): string {
    const keys: string[] = [];
    for (let i = 0; i < Math.min(this.config.prefixDepth, slots.length); i++) keys.push(slots[i].key.includes(WILDCARD) ? WILDCARD : slots[i].key);
    return keys.join('\u0002');
  }

  /** Feed one message (the free-text content, header already stripped). */
  add(content: string): MineResult {
    const slots = toSlots(tokenize(content), this.config.maxTokens);
    let byPrefix = this.tree.get(slots.length);
    if (!byPrefix) this.tree.set(slots.length, (byPrefix = new Map()));
    const candidates: Cluster[] = [];
    const pk = this.prefix(slots);
    for (const key of new Set([pk, this.prefix(slots.map(() => ({ key: WILDCARD, text: WILDCARD })))])) {
      const l = byPrefix.get(key);
      if (l) candidates.push(...l);
    }
    let best: Cluster | null = null;
    let bestSim = -1;
    let bestVars = -1;
    for (const c of candidates) {
      if (slots.length === 0) {
        best = c;
        break;
      }
      const [sim, vars] = similarity(c.slots, slots);
      if (sim > bestSim || (sim === bestSim && vars > bestVars)) [best, bestSim, bestVars] = [c, sim, vars];
    }
    if (best && (slots.length === 0 || bestSim >= this.config.similarity)) {
      best.slots = best.slots.map((s, i) => mergeSlot(s, slots[i]));
      best.size++;
      return { clusterId: best.id, template: this.render(best), isNew: false };
    }
    const c: Cluster = { id: this.clusters.length, slots, size: 1 };
    this.clusters.push(c);
    this.parent.push(c.id);
    let l = byPrefix.get(pk);
    if (!l) byPrefix.set(pk, (l = []));
    l.push(c);
    return { clusterId: c.id, template: this.render(c), isNew: true };
  }

  private find(id: number): number {
    while (this.parent[id] !== id) id = this.parent[id] = this.parent[this.parent[id]];
    return id;
  }

  /**
   * Post-hoc merging, run once after a batch (or periodically when streaming). Clusters
   * with the same constant skeleton are merged along their LCS alignment; then clusters
   * with the same rendered template are unified.
   */
  finalize(): void {
    this.mergeVariablePositions();
    const bySkel = new Map<string, Cluster>();
    for (const c of this.clusters) {
      if (this.find(c.id) !== c.id) continue;
      const sk = skeleton(c.slots);
      if (sk.length === 0) continue; // all-variable messages carry no evidence of sameness
      const root = bySkel.get(sk);
      if (!root) {
        bySkel.set(sk, c);
        continue;
      }
      root.slots = lcsMerge(root.slots, c.slots);
      root.size += c.size;
      this.parent[c.id] = root.id;
    }
    const byText = new Map<string, Cluster>();
    for (const c of this.clusters) {
      if (this.find(c.id) !== c.id) continue;
      const t = this.render(c);
      const root = byText.get(t);
      if (!root) byText.set(t, c);
      else {
        root.size += c.size;
        this.parent[c.id] = root.id;
      }
    }
  }

  /**
   * Column-cardinality merge: clusters of equal length that agree on every slot but one are
   * merged when they show more than `maxConstantVariants` distinct words at that slot.
   */
  private mergeVariablePositions(): void {
    let changed = true;
    while (changed) {
      changed = false;
      const live = this.clusters.filter((c) => this.find(c.id) === c.id);
      const maxLen = live.reduce((a, c) => Math.max(a, c.slots.length), 0);
      for (let p = 0; p < maxLen; p++) {
        const buckets = new Map<string, Cluster[]>();
        for (const c of live) {
          if (this.find(c.id) !== c.id || c.slots.length <= p || c.slots[p].key === WILDCARD) continue;
          const sig = c.slots.length + '\u0003' + c.slots.map((s, i) => (i === p ? '' : s.key)).join('\u0002');
          let b = buckets.get(sig);
          if (!b) buckets.set(sig, (b = []));
          b.push(c);
        }
        for (const b of buckets.values()) {
          if (new Set(b.map((c) => c.slots[p].key)).size <= this.config.maxConstantVariants) continue;
          const root = b[0];
          for (const c of b.slice(1)) {
            root.slots = root.slots.map((s, i) => mergeSlot(s, c.slots[i]));
            root.size += c.size;
            this.parent[c.id] = root.id;
          }
          // A punctuation-anchored merge (`user=<*>`) keeps its key; force the slot variable.
          if (root.slots[p].key !== WILDCARD && !root.slots[p].key.includes(WILDCARD)) root.slots[p] = { key: WILDCARD, text: WILDCARD };
          changed = true;
        }
      }
    }
  }

  /** Current template text of a cluster id (following merges). */
  templateOf(clusterId: number): string {
    return this.render(this.clusters[this.find(clusterId)]);
  }

  /** Canonical cluster id after merges. */
  resolve(clusterId: number): number {
    return this.find(clusterId);
  }

  templates(): { id: number; template: string; size: number }[] {
    return this.clusters.filter((c) => this.find(c.id) === c.id).map((c) => ({ id: c.id, template: this.render(c), size: c.size }));
  }

  private render(c: Cluster): string {
    return renderTemplate(c.slots.map((s) => s.text).join(' '));
  }
}

/** Mine a whole batch: returns one template string per input message. */
export function mineTemplates(contents: readonly string[], config: Partial<MinerConfig> = {}): string[] {
  const m = new TemplateMiner(config);
  const ids = contents.map((c) => m.add(c).clusterId);
  m.finalize();
  return ids.map((id) => m.templateOf(id));
}
