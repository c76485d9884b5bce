/**
 * Log-parsing accuracy metrics, computed exactly as the Loghub-2.0 evaluator does:
 * groups are distinct template *strings* on both sides, no normalisation at scoring time.
 * GA/FGA: Zhu et al. ICSE 2019 / Jiang et al. ISSTA 2024; PA: exact string match;
 * FTA: Khan et al. ICSE 2022.
 */

export interface ParseScores {
  /** Grouping accuracy: fraction of messages whose parsed group equals their true group. */
  ga: number;
  /** Parsing accuracy: fraction of messages whose template string equals the truth exactly. */
  pa: number;
  /** F1 over ground-truth groups reproduced exactly (template level). */
  fga: number;
  /** F1 over parsed templates that are both pure and textually correct. */
  fta: number;
  /** Distinct ground-truth templates |G| and parsed templates |P| (after dropping empty truth rows). */
  truthTemplates: number;
  parsedTemplates: number;
}

/** Ground-truth cells pandas would read as missing; the evaluator drops those rows. */
const NA_TOKENS = new Set(['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null']);

function f1(p: number, r: number): number {
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

/**
 * Score one system. `truth[i]` and `parsed[i]` are the templates of message i.
 * Rows with a missing truth template are excluded from GA/FGA/FTA but still count in PA's
 * denominator (as misses), matching the reference evaluator.
 */
export function scoreParse(truth: readonly string[], parsed: readonly string[]): ParseScores {
  if (truth.length !== parsed.length) throw new Error(`length mismatch: ${truth.length} truth vs ${parsed.length} parsed`);
  const n = truth.length;
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (!NA_TOKENS.has(truth[i])) keep.push(i);
  // pandas compares a missing truth cell (NaN) unequal to everything, so those rows are misses.
  let paHits = 0;
  for (const i of keep) if (truth[i] === parsed[i]) paHits++;

  // Group sizes on both sides, and for each truth group the parsed labels it maps to.
  const parsedSize = new Map<string, number>();
  const truthToParsed = new Map<string, Map<string, number>>();
  const parsedToTruth = new Map<string, Set<string>>();
  for (const i of keep) {
    const g = truth[i];
    const p = parsed[i];
    parsedSize.set(p, (parsedSize.get(p) ?? 0) + 1);
    let m = truthToParsed.get(g);
    if (!m) truthToParsed.set(g, (m = new Map()));
    m.set(p, (m.get(p) ?? 0) + 1);
    let s = parsedToTruth.get(p);
    if (!s) parsedToTruth.set(p, (s = new Set()));
    s.add(g);
  }

  let correctMsgs = 0;
  let correctGroups = 0;
  for (const m of truthToParsed.values()) {
    if (m.size !== 1) continue;
    const [[p, count]] = [...m.entries()];
    if (parsedSize.get(p) === count) {
      correctMsgs += count;
      correctGroups++;
    }
  }
  let correctTemplates = 0;
  for (const [p, gs] of parsedToTruth) if (gs.size === 1 && gs.has(p)) correctTemplates++;

  const G = truthToParsed.size;
  const P = parsedSize.size;
  return {
    ga: keep.length === 0 ? 0 : correctMsgs / keep.length,
    pa: n === 0 ? 0 : paHits / n,
    fga: P === 0 || G === 0 ? 0 : f1(correctGroups / P, correctGroups / G),
    fta: P === 0 || G === 0 ? 0 : f1(correctTemplates / P, correctTemplates / G),
    truthTemplates: G,
    parsedTemplates: P,
  };
}

/** Unweighted mean of each metric over systems, the "average" the benchmarks report. */
export function meanScores(all: readonly ParseScores[]): Pick<ParseScores, 'ga' | 'pa' | 'fga' | 'fta'> {
  const k = all.length || 1;
  const sum = (f: (s: ParseScores) => number) => all.reduce((a, s) => a + f(s), 0) / k;
  return { ga: sum((s) => s.ga), pa: sum((s) => s.pa), fga: sum((s) => s.fga), fta: sum((s) => s.fta) };
}
