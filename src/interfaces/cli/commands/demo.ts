import type { Command } from 'commander';
import { openStore } from '../../../knowledge/store.js';
import { POLICY_NAMES, prepareSimulation, type SimulationReport } from '../../../loop/simulation.js';
import { duration, integer, positiveNumber } from '../args.js';
import { printJson } from '../format.js';
import { progressBars, trackedSimulation } from '../tracked-run.js';
import { printReports } from './simulate.js';

/** A week with the incidents every on-call has seen: a leak, a bad deploy, a lost node, a crash loop. */
export const DEMO_FAULTS = 'memory-leak:api@1d10h/8h, bad-rollout:web@2d14h/3h, node-crash@4d3h, crash-loop:checkout@5d20h/2h';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('The main job on the embedded default: a simulated shop cluster through a week of realistic load and incidents, run by static replicas, the Kubernetes HPA + cluster autoscaler, and the Autonomic loop; then a comparison.')
    .option('--days <n>', 'simulated days', positiveNumber('--days', 366), 7)
    .option('--seed <n>', 'random seed', integer('--seed', 0, 2 ** 31 - 1), 1)
    .option('--faults <spec>', `faults to inject ('' for none)`, DEMO_FAULTS)
    .option('--approve-after <duration>', 'a simulated on-call engineer approves high-risk actions (node removal) after this much simulated time', duration('--approve-after'), 600)
    .option('--db <path>', 'knowledge store (default .autonomic/autonomic.db or $AUTONOMIC_DB)')
    .option('--json', 'print the reports as JSON')
    .option('--no-progress', 'no progress bars')
    .action(async (o: { days: number; seed: number; faults: string; approveAfter: number; db?: string; json?: boolean; progress: boolean }) => {
      const prepared = POLICY_NAMES.map((policy) =>
        prepareSimulation({ policy, days: o.days, seed: o.seed, load: { kind: 'generator', name: 'diurnal' }, faults: o.faults, approveAfterSeconds: o.approveAfter }),
      );
      const store = await openStore(o.db);
      const bars = progressBars(o.progress && !o.json);
      const reports: SimulationReport[] = [];
      const runIds: string[] = [];
      try {
        for (const p of prepared) {
          const { run, report } = await trackedSimulation(store, p, bars.bar(p.spec.policy));
          reports.push(report);
          runIds.push(run.id);
        }
      } finally {
        bars.stop();
        await store.close();
      }
      if (o.json) return printJson({ reports: reports.map((r, i) => ({ runId: runIds[i], ...r })), db: store.path });
      process.stdout.write('\nAutonomic demo: a 3-service shop (web, api, checkout) on m5.xlarge nodes, diurnal + weekly load with bursts\n');
      process.stdout.write(`faults: ${o.faults || 'none'}\n\n`);
      printReports(reports);
      const [, hpa, auto] = reports;
      const pct = (a: number, b: number): string => (b === 0 ? (a === 0 ? '±0%' : 'n/a') : `${a <= b ? '' : '+'}${(((a - b) / b) * 100).toFixed(0)}%`);
      process.stdout.write(
        `\nautonomic vs hpa: cost ${pct(auto.costDollars, hpa.costDollars)}, SLO-violation minutes ${pct(auto.sloViolationMinutes, hpa.sloViolationMinutes)}, ` +
          `p99 ${pct(auto.p99MeanMs, hpa.p99MeanMs)}, flaps ${auto.flaps} vs ${hpa.flaps}\n`,
      );
      const v = auto.verification;
      process.stdout.write(`autonomic verified ${v.judged} executed actions against the SLOs: ${v.improved} improved, ${v.worse} made things worse, ${v.undone} undone (--kind action-verification)\n`);
      process.stdout.write(`\nEvery decision is in the journal (${store.path}):\n  autonomic audit list --run ${runIds[2]} --kind decision\n  autonomic audit verify\n  autonomic runs list\n`);
      process.stdout.write(`\nDashboard: autonomic serve --db ${store.path} then open http://127.0.0.1:8470/ (log in with a token from \`autonomic serve token create --name you --role approver\`)\n`);
    });
}
