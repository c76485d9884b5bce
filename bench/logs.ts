/**
 * `npm run bench -- logs [--data DIR] [--json]`
 * Mines templates for every system of a LogHub-2k folder (default ../shared/data/loghub) with
 * the one global miner configuration and scores them against the corrected ground truth with
 * the Loghub-2.0 evaluator's definitions (GA, PA, FGA, FTA; unweighted mean over systems).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../src/core/errors.js';
import { listSystems, loadSystem } from '../src/analyze/logs/loghub.js';
import { DEFAULT_MINER_CONFIG, mineTemplates } from '../src/analyze/logs/miner.js';
import { meanScores, scoreParse, type ParseScores } from '../src/analyze/logs/parse-metrics.js';
import { progress, type BenchArgs, type BenchResult, type Row } from './lib/report.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function run(args: BenchArgs): Promise<BenchResult> {
  const root = resolve(args.data ?? join(repoRoot, '..', 'shared', 'data', 'loghub'));
  if (!existsSync(root)) throw new UserError(`no LogHub-2k data folder at ${root} (expected <System>/<System>_2k.log)`);
  const systems = listSystems(root);
  if (systems.length === 0) throw new UserError(`no <System>/<System>_2k.log files under ${root}`);

  const rows: Row[] = [];
  const scores: ParseScores[] = [];
  const skipped: string[] = [];
  let headerMismatches = 0;
  const t0 = performance.now();
  for (const [k, name] of systems.entries()) {
    const sys = loadSystem(root, name);
    if (!sys.truth) {
      skipped.push(name);
      continue;
    }
    if (sys.truth.length !== sys.contents.length)
      throw new UserError(`${sys.contents.length} log lines but ${sys.truth.length} ground-truth rows`, join(root, name));
    // The header splitter must reproduce the ground truth's Content column; count misses so
    // a wrong format shows up instead of silently lowering the scores.
    if (sys.truthContent) for (let i = 0; i < sys.contents.length; i++) if (sys.contents[i] !== sys.truthContent[i]) headerMismatches++;
    progress(`logs: ${k + 1}/${systems.length} ${name}`);
    const t = performance.now();
    const parsed = mineTemplates(sys.contents);
    const seconds = (performance.now() - t) / 1000;
    const s = scoreParse(sys.truth, parsed);
    scores.push(s);
    rows.push({ system: name, ga: s.ga, pa: s.pa, fga: s.fga, fta: s.fta, lines: sys.contents.length, templates: s.parsedTemplates, truth_templates: s.truthTemplates, seconds });
  }
  const mean = meanScores(scores);
  const reference = referenceDrain(root, rows.map((r) => String(r.system)));
  progress(`logs: ${scores.length} systems in ${((performance.now() - t0) / 1000).toFixed(1)}s, avg GA ${mean.ga.toFixed(4)}\n`);
  return {
    suite: 'logs',
    data: root,
    rows,
    summary: {
      avg_ga: mean.ga,
      avg_pa: mean.pa,
      avg_fga: mean.fga,
      avg_fta: mean.fta,
      systems: scores.length,
      skipped,
      header_mismatches: headerMismatches,
      config: DEFAULT_MINER_CONFIG,
      reference_drain: reference,
      notes: 'Ground truth: *_structured_corrected.csv. One global miner configuration for all systems. PA/FTA compare template strings exactly, with no normalisation (as the Loghub-2.0 evaluator).',
    },
  };
}

/**
 * Drain's official scores on the same systems (reference-parses/expected.json, per-system
 * hand-tuned settings), averaged over the systems this run scored, for context only.
 */
function referenceDrain(root: string, systems: readonly string[]): { avg_ga: number; avg_pa: number; systems: number } | null {
  const file = join(root, 'reference-parses', 'expected.json');
  if (!existsSync(file)) return null;
  const ref = JSON.parse(readFileSync(file, 'utf8')) as { systems?: Record<string, { ga: number; pa: number }> };
  const got = systems.map((s) => ref.systems?.[s]).filter((r): r is { ga: number; pa: number } => r !== undefined);
  if (got.length === 0) return null;
  return { avg_ga: got.reduce((a, r) => a + r.ga, 0) / got.length, avg_pa: got.reduce((a, r) => a + r.pa, 0) / got.length, systems: got.length };
}
