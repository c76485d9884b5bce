import type { Command } from 'commander';
import { UserError } from '../../../core/errors.js';
import { openStore } from '../../../knowledge/store.js';
import { LOOP_MODES } from '../../../loop/mode.js';
import { parseGeneratorName } from '../../../loop/scenario.js';
import { POLICY_NAMES, prepareSimulation, type SimulationReport } from '../../../loop/simulation.js';
import { duration, integer, oneOf, positiveNumber } from '../args.js';
import { formatTable, printJson } from '../format.js';
import { describeOutcome } from '../../../loop/simulated-rollouts.js';
import { progressBars, trackedSimulation } from '../tracked-run.js';
import { DEFAULT_SHADOW_WINDOW_SECONDS, SHADOW_POLICIES } from '../../../loop/shadow-options.js';

interface SimulateOptions {
  trace?: string;
  generator?: string;
  policy: (typeof POLICY_NAMES)[number];
  days: number;
  seed: number;
  faults: string;
  mode: (typeof LOOP_MODES)[number];
  guardrails?: string;
  approveAfter?: number;
  playbooks: string[];
  rollout: string[];
  shadow?: (typeof SHADOW_POLICIES)[number];
  rlModel?: string;
  shadowWindow: number;
  db?: string;
  json?: boolean;
  progress: boolean;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('Run the loop against the digital-twin cluster for N simulated days and report cost, SLO violations, latency and actions.')
    .option('--trace <file>', "offered load from a CSV 'timestamp,value' trace (its shape is scaled to each service's mean load)")
    .option('--generator <name>', 'offered load from a built-in generator: steady, diurnal (daily + weekly cycle, trend, noise, bursts), spiky')
    .option('--policy <name>', `scaling policy: ${POLICY_NAMES.join(', ')}`, oneOf('--policy', POLICY_NAMES), 'autonomic')
    .option('--days <n>', 'simulated days (max 366)', positiveNumber('--days', 366), 7)
    .option('--seed <n>', 'random seed: the same seed gives the same run', integer('--seed', 0, 2 ** 31 - 1), 1)
    .option('--faults <spec>', "faults to inject, e.g. 'node-crash@2h, crash-loop:web@26h/30m, memory-leak:api@1d12h'", '')
    .option('--mode <mode>', 'auto (execute), shadow (decide and journal only), dry-run (decide only)', oneOf('--mode', LOOP_MODES), 'auto')
    .option('--guardrails <file>', 'guardrail policy YAML (default: the built-in policy, see policies/default.yaml)')
    .option('--approve-after <duration>', 'a simulated on-call engineer approves high-risk actions after this much simulated time (default: nobody approves; they wait in `autonomic approvals list`)', duration('--approve-after'))
    .option('--playbooks <file|dir>', 'remediation playbooks YAML (a file, or a directory of *.yaml), on top of the built-in ones in policies/playbooks/; a playbook with a built-in\'s name replaces it (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--rollout <spec>', "canary rollout of a new revision at a simulated time: SERVICE:REVISION@TIME[:errors=PERCENT][:latency=FACTOR], e.g. checkout:r2@6h:errors=3 (3 % of its requests fail; latency=2: twice as slow); steps 10 → 25 → 50 %, each analysed against the running revision, then promoted or rolled back (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--shadow <policy>', `run a candidate policy in shadow mode beside the active one (${SHADOW_POLICIES.join(', ')}): agreement per tick, and its counterfactual cost and SLO minutes in a forked twin`, oneOf('--shadow', SHADOW_POLICIES))
    .option('--rl-model <file>', 'the RL model for --shadow rl (default: the newest rl-ppo model in the registry, from `autonomic train rl`)')
    .option('--shadow-window <duration>', 'counterfactual window: the twin is forked from the real state at the start of each', duration('--shadow-window'), DEFAULT_SHADOW_WINDOW_SECONDS)
    .option('--db <path>', 'knowledge store (default .autonomic/autonomic.db or $AUTONOMIC_DB)')
    .option('--json', 'print the report as JSON on stdout')
    .option('--no-progress', 'no progress bar')
    .addHelpText('after', '\nExamples:\n  autonomic simulate --generator diurnal --policy hpa --days 7\n  autonomic simulate --trace load.csv --policy autonomic --faults "node-crash@1d" --json\n  autonomic simulate --days 1 --rollout checkout:r2@6h:errors=3 --rollout web:r2@12h\n')
    .action(async (o: SimulateOptions) => {
      if (o.trace && o.generator) throw new UserError('give either --trace or --generator, not both', '--trace/--generator');
      const load = o.trace ? { kind: 'trace' as const, file: o.trace } : { kind: 'generator' as const, name: parseGeneratorName(o.generator ?? 'diurnal') };
      // Everything is validated before the store is opened: bad input writes nothing.
      const prepared = prepareSimulation({ policy: o.policy, days: o.days, seed: o.seed, load, faults: o.faults, mode: o.mode, policyFile: o.guardrails ?? null, approveAfterSeconds: o.approveAfter ?? null, playbooks: o.playbooks, rollouts: o.rollout });
      if (o.rlModel && !o.shadow) throw new UserError('--rl-model is for --shadow rl', '--rl-model');
      // Loaded only for a shadow run: it brings tfjs, which every other simulation can start without.
      const shadowRun = o.shadow ? await import('../../../loop/shadow-run.js') : undefined;
      const modelFile = shadowRun && o.rlModel ? await shadowRun.resolveShadowModel(o.rlModel, null) : null;
      const store = await openStore(o.db);
      try {
        const m = shadowRun ? (modelFile ?? (await shadowRun.resolveShadowModel(undefined, store))) : null;
        const shadow = shadowRun && m ? new shadowRun.ShadowSession(prepared, m.model, m.source, o.shadowWindow) : null;
        const observe = shadow
          ? (r: { id: string }, until: number | undefined) => {
              shadow.attachJournal(store.journal, r.id, until);
              return { onTick: (t: Parameters<typeof shadow.onTick>[0]) => shadow.onTick(t) };
            }
          : undefined;
        const bars = progressBars(o.progress && !o.json);
        const { run, report } = await trackedSimulation(store, prepared, bars.bar(o.policy), undefined, observe).finally(() => bars.stop());
        const shadowReport = await shadow?.finish();
        if (o.json) printJson({ runId: run.id, ...report, ...(shadowReport ? { shadow: shadowReport } : {}) });
        else {
          printReports([report], run.id);
          if (shadowReport && shadowRun) process.stdout.write(`\n${shadowRun.describeShadow(shadowReport, run.id)}\n`);
          const m = report.remediation;
          if (m.detections > 0) {
            process.stdout.write(`\nremediation: ${m.detections} detected, ${m.recoveries} verified and recovered, ${m.failedVerifications} failed verification, ${m.escalations} escalated to a human` +
              ` (autonomic audit list --run ${run.id} --kind detection|diagnosis|decision|verification|recovery|undo|escalation)\n`);
          }
          const v = report.verification;
          if (v.judged > 0) {
            process.stdout.write(`\nverification: ${v.judged} executed actions judged, ${v.improved} improved, ${v.worse} made things worse, ${v.undone} undone` +
              ` (autonomic audit list --run ${run.id} --kind action-verification)\n`);
          }
          if (report.rollouts.length > 0) {
            process.stdout.write(`\nrollouts (autonomic audit list --run ${run.id} --kind rollout-step|rollout-result):\n`);
            for (const r of report.rollouts) process.stdout.write(`  ${describeOutcome(r)}\n`);
          }
        }
      } finally {
        await store.close();
      }
    });
}

/** The comparison table shared by simulate, demo and runs report. */
export function reportRows(reports: readonly SimulationReport[]): Record<string, string | number>[] {
  return reports.map((r) => ({
    policy: r.policy,
    'cost $': r.costDollars.toFixed(2),
    'SLO-viol min': r.sloViolationMinutes.toFixed(1),
    'p99 mean ms': r.p99MeanMs.toFixed(1),
    'p99 of p99 ms': r.p99OfP99Ms.toFixed(1),
    'errors %': r.errorPct.toFixed(3),
    actions: r.actions,
    flaps: r.flaps,
    'denied/clamped/queued': `${r.denied}/${r.clamped}/${r.queuedForApproval}`,
    'node-h': r.nodeHours.toFixed(1),
  }));
}

export function printReports(reports: readonly SimulationReport[], runId?: string): void {
  const r0 = reports[0];
  process.stdout.write(`${r0.days} simulated days, seed ${r0.seed}, mode ${r0.mode}${runId ? `, run ${runId}` : ''}\n\n`);
  process.stdout.write(formatTable(reportRows(reports)) + '\n');
}
