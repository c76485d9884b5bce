/**
 * Streaming log-template miner in the Drain family (He et al., ICWS 2017), changed where
 * later work showed what matters when one configuration must fit every system:
 *
 * - Drain3-style masking before grouping (masks.ts), at the piece level inside tokens, so
 *   `uid=0` and `blk_123` mask only their variable part; timestamps, paths with query
 *   strings and units after numbers are one parameter.
 * - Runs of all-variable tokens collapse to one slot (slots.ts), so a parameter that spans a
 *   varying number of tokens does not change the message length.
 * - Online, a message joins the cluster with exactly its masked key. Drain's similarity
 *   threshold (`similarity` < 1) is still available, but one global threshold cannot tell
 *   `GET`/`POST` (two events, one word apart) from two user names (one event); the
 *   column-cardinality rule below decides that from the data instead.
 * - Weak variables (words with a digit) group like variables but print as constants when
 *   every message agrees (Brain's "frequent tokens are constant" insight, per position).
 * - Post-hoc merging (`finalize`), each a general rule:
 *   1. column cardinality: clusters that agree everywhere but one slot, where more than
 *      `maxConstantVariants` distinct words of one punctuation shape appear, are one event
 *      with a parameter there (few distinct words are different events);
 *   2. equal constant skeletons are aligned by longest common subsequence and merged;
 *   3. subsumption: a cluster that is an instance of a more general template is absorbed;
 *   4. clusters that render to the same template string are one (evaluators group by string).
 */
import { renderTemplate, tokenize, WILDCARD } from './masks.js';
import { lcsMerge, mergeSlot, mergeTexts, shape, skeleton, slotPattern, slotsKey, specificity, toSlots, type Slot } from './slots.js';

export interface MinerConfig {
  /**
   * Drain similarity threshold: fraction of slots that must match a cluster's keys for a
   * message to join it. 1 means exact masked-key match.
   */
  similarity: number;
  /** With similarity < 1: how many leading slots index the tree below the length level (Drain depth - 2). */
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
export const DEFAULT_MINER_CONFIG: MinerConfig = { similarity: 1, prefixDepth: 1, maxTokens: 200, maxConstantVariants: 3 };

export interface Cluster {
  id: number;
  slots: Slot[];
  size: number;
}

export interface MineResult {
  /** Canonical cluster id (after any merges so far). */
  clusterId: number;
  template: string;
  isNew: boolean;
}

/** Drain similarity: matching slots over length; ties go to more variables. */
function similarity(tmpl: readonly Slot[], line: readonly Slot[]): [number, number] {
  let same = 0;
  let vars = 0;
  for (let i = 0; i < tmpl.length; i++) {
    if (tmpl[i].key === WILDCARD) vars++;
    if (tmpl[i].key === line[i].key) same++;
  }
  return [same / tmpl.length, vars];
}

export class TemplateMiner {
  readonly config: MinerConfig;
  private readonly clusters: Cluster[] = [];
  /** Exact masked key -> cluster that first had it (merged clusters stay as aliases). */
  private readonly byKey = new Map<string, Cluster>();
  /** length -> prefix key -> clusters (the fixed-depth Drain tree), used when similarity < 1. */
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

  /** Drain's tree search: the most similar cluster of the same length and prefix, if close enough. */
  private drainMatch(slots: readonly Slot[]): Cluster | null {
    const byPrefix = this.tree.get(slots.length);
    if (!byPrefix || slots.length === 0) return null;
    let best: Cluster | null = null;
    let bestSim = -1;
    let bestVars = -1;
    for (const c of byPrefix.get(this.prefix(slots)) ?? []) {
      const [sim, vars] = similarity(c.slots, slots);
      if (sim > bestSim || (sim === bestSim && vars > bestVars)) [best, bestSim, bestVars] = [c, sim, vars];
    }
    return best && bestSim >= this.config.similarity ? best : null;
  }

  /** Feed one message (the free-text content, header already stripped). Never throws on content. */
  add(content: string | Uint8Array): MineResult {
    const slots = toSlots(tokenize(content), this.config.maxTokens);
    const key = slotsKey(slots);
    const hit = this.byKey.get(key) ?? (this.config.similarity < 1 ? this.drainMatch(slots) : null);
    if (hit) {
      const root = this.clusters[this.find(hit.id)];
      // A merged cluster is an alias: its messages join the root, whose slots may have another
      // length after alignment, so they are merged by alignment rather than position.
      root.slots = root === hit ? root.slots.map((s, i) => mergeSlot(s, slots[i])) : lcsMerge(root.slots, slots);
      root.size++;
      return { clusterId: root.id, template: this.render(root), isNew: false };
    }
    const c: Cluster = { id: this.clusters.length, slots, size: 1 };
    this.clusters.push(c);
    this.parent.push(c.id);
    this.byKey.set(key, c);
    if (this.config.similarity < 1) {
      let byPrefix = this.tree.get(slots.length);
      if (!byPrefix) this.tree.set(slots.length, (byPrefix = new Map()));
      const pk = this.prefix(slots);
      let l = byPrefix.get(pk);
      if (!l) byPrefix.set(pk, (l = []));
      l.push(c);
    }
    return { clusterId: c.id, template: this.render(c), isNew: true };
  }

  private find(id: number): number {
    while (this.parent[id] !== id) id = this.parent[id] = this.parent[this.parent[id]];
    return id;
  }

  private live(): Cluster[] {
    return this.clusters.filter((c) => this.find(c.id) === c.id);
  }

  private absorb(root: Cluster, c: Cluster, slots: Slot[]): void {
    root.slots = slots;
    root.size += c.size;
    this.parent[c.id] = root.id;
  }

  /** Post-hoc merging, run once after a batch (or periodically when streaming). */
  finalize(): void {
    this.mergeVariablePositions();
    this.mergeSkeletons();
    this.absorbInstances();
    this.mergeSameText();
  }

  /**
   * Column cardinality: clusters of equal length that agree on every slot but one are merged
   * when they show more than `maxConstantVariants` distinct words of one punctuation shape
   * there. The first slot is exempt: it is the event's verb or function name (Drain's prefix
   * assumption), and `setLightsOn(true)` / `suspendAutohide` are many events, not one.
   */
  private mergeVariablePositions(): void {
    let changed = true;
    while (changed) {
      changed = false;
      const live = this.live();
      const maxLen = live.reduce((a, c) => Math.max(a, c.slots.length), 0);
      for (let p = 1; p < maxLen; p++) {
        const buckets = new Map<string, Cluster[]>();
        for (const c of live) {
          if (this.find(c.id) !== c.id || c.slots.length <= p || c.slots[p].key === WILDCARD) continue;
          // Values of one parameter share a punctuation shape (`num=<*>,flags=<*>` is not
          // another value of `topActivity=ComponentInfo{<*>}`), so shapes are counted apart.
          const sig = c.slots.length + '\u0003' + c.slots.map((s, i) => (i === p ? shape(s.key) : s.key)).join('\u0002');
          let b = buckets.get(sig);
          if (!b) buckets.set(sig, (b = []));
          b.push(c);
        }
        for (const b of buckets.values()) {
          if (new Set(b.map((c) => c.slots[p].key)).size <= this.config.maxConstantVariants) continue;
          const root = b[0];
          for (const c of b.slice(1)) this.absorb(root, c, root.slots.map((s, i) => mergeSlot(s, c.slots[i])));
          // A punctuation-anchored merge (`user=<*>`) keeps its key; force the slot variable.
          if (root.slots[p].key !== WILDCARD && !root.slots[p].key.includes(WILDCARD)) root.slots[p] = { key: WILDCARD, text: WILDCARD };
          changed = true;
        }
      }
    }
  }

  /**
   * Clusters with the same constant words in the same order differ only in how many
   * variables sit between them: align by LCS and merge. All-variable messages carry no
   * evidence of sameness and are left alone.
   */
  private mergeSkeletons(): void {
    const bySkel = new Map<string, Cluster>();
    for (const c of this.live()) {
      const sk = skeleton(c.slots);
      if (sk.length === 0) continue;
      const root = bySkel.get(sk);
      if (root) this.absorb(root, c, lcsMerge(root.slots, c.slots));
      else bySkel.set(sk, c);
    }
  }

  /**
   * Subsumption: a cluster whose every slot is an instance of another cluster's slot pattern
   * (`bx.optimix.asia:<*>` under `<*>:<*>`) is that template with one more value; it is
   * absorbed into the largest such template. The general template must keep a constant word,
   * so an all-variable template never swallows unrelated short messages.
   */
  private absorbInstances(): void {
    const byLen = new Map<number, Cluster[]>();
    for (const c of this.live()) {
      let l = byLen.get(c.slots.length);
      if (!l) byLen.set(c.slots.length, (l = []));
      l.push(c);
    }
    for (const group of byLen.values()) {
      const general = group.filter((c) => c.slots.some((s) => /[A-Za-z]/.test(s.key)) && c.slots.some((s) => s.key.includes(WILDCARD)));
      if (general.length === 0) continue;
      const patterns = new Map<Cluster, RegExp[]>(general.map((c) => [c, c.slots.map((s) => slotPattern(s.key))]));
      const spec = new Map<Cluster, number>(group.map((c) => [c, specificity(c.slots)]));
      // Most specific first, so chains (c under b under a) end in the broadest template.
      const order = [...group].sort((a, b) => (spec.get(b) as number) - (spec.get(a) as number));
      for (const b of order) {
        if (this.find(b.id) !== b.id) continue;
        let best: Cluster | null = null;
        for (const a of general) {
          if (a === b || this.find(a.id) !== a.id || (spec.get(a) as number) >= (spec.get(b) as number)) continue;
          const pats = patterns.get(a) as RegExp[];
          if (!b.slots.every((s, i) => pats[i].test(s.key))) continue;
          if (!best || a.size > best.size) best = a;
        }
        if (!best) continue;
        const merged = best.slots.map((s, i) => (s.key === b.slots[i].key ? mergeSlot(s, b.slots[i]) : { key: s.key, text: mergeTexts(s.text, b.slots[i].text) ?? s.key }));
        this.absorb(best, b, merged);
      }
    }
  }

  /** Clusters that print the same template are one event to every consumer of the text. */
  private mergeSameText(): void {
    const byText = new Map<string, Cluster>();
    for (const c of this.live()) {
      const t = this.render(c);
      const root = byText.get(t);
      if (root) this.absorb(root, c, root.slots);
      else byText.set(t, c);
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
    return this.live().map((c) => ({ id: c.id, template: this.render(c), size: c.size }));
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
