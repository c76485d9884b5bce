import type { Command } from 'commander';
import { describeAction } from '../../../core/action.js';
import { defaultPolicy, loadPolicyFile } from '../../../govern/policy.js';
import { openStore } from '../../../knowledge/store.js';
import { checkDrift, formatDriftCheck } from '../../../plan/lifecycle/drift-check.js';
import { queueDriftReconciliation, type QueuedReconciliation } from '../../../plan/lifecycle/drift-approval.js';
import { duration, integer } from '../args.js';
import { printJson } from '../format.js';
import { addLiveSourceOptions, approvalRoute, journalQueued, liveSourceFromFlags, readLiveSnapshot, type LiveCommandFlags } from '../live-source.js';

interface DriftOptions extends LiveCommandFlags {
  settle: number;
  podsAfterDrain: number;
}

const ACTOR = 'autonomic drift';

export function registerDrift(program: Command): void {
  const cmd = program
    .command('drift')
    .description(
      'Compare what Autonomic last applied (the executed decisions of every live `autonomic run` in the journal; simulations ' +
        'do not count) with the live system now, and say what would be done about each difference per the policy\'s drift: section. ' +
        'Reads only; with --queue the reconciling proposals go through the guardrails into the approval queue, never applied here.',
    );
  addLiveSourceOptions(cmd)
    .option('--policy <file>', 'guardrail policy YAML with the drift: section (reconcile: report-only | auto, ignore: [patterns]); default: the built-in policy')
    .option('--db <path>', 'knowledge store holding the journal (default .autonomic/autonomic.db or $AUTONOMIC_DB)')
    .option('--settle <duration>', 'changes Autonomic made less than this long ago are not compared yet (a scrape or two late is normal)', duration('--settle'), 120)
    .option('--pods-after-drain <n>', 'pods a drained node still runs by design (DaemonSets); more reads as an uncordon', integer('--pods-after-drain', 0, 10_000), 0)
    .option('--queue', 'with drift.reconcile: auto, check each reconciling proposal against the guardrails and queue it for approval (`autonomic approvals`)')
    .option('--json', 'one JSON object on stdout: {source, at, report, reconciliation, queued}')
    .addHelpText(
      'after',
      '\nExit codes: 0 no drift (or only drift the policy ignores), 1 drift found, 2 bad input or the live system could not be read\n' +
        '(unreachable, or degraded telemetry: nothing is compared on stale data).\n' +
        '\nExamples:\n' +
        '  autonomic drift --prometheus http://127.0.0.1:9090\n' +
        '  autonomic drift --kubeconfig ~/.kube/config --settle 5m --pods-after-drain 3 --json\n' +
        '  autonomic drift --prometheus-config prom.yaml --policy my-policy.yaml --queue   # policy: drift: { reconcile: auto }\n' +
        '  autonomic approvals list                                                       # what --queue queued\n',
    )
    .action(async (o: DriftOptions) => {
      // Everything is validated and the live system read before the store is opened: bad input writes nothing.
      const policy = o.policy !== undefined ? loadPolicyFile(o.policy) : defaultPolicy();
      const live = await liveSourceFromFlags(o);
      const snapshot = await readLiveSnapshot(live);
      const store = await openStore(o.db);
      try {
        // Only live loops acted on this system: a simulation's decisions acted on a simulated twin.
        const liveRuns = new Set((await store.runs.list()).filter((r) => r.command === 'run').map((r) => r.id));
        const check = await checkDrift({
          journal: store.journal, snapshot, policy: policy.drift,
          scope: { includeRun: (id) => id !== null && liveRuns.has(id) },
          settleSeconds: o.settle, podsAfterDrain: o.podsAfterDrain,
        });
        let queued: QueuedReconciliation[] | null = null;
        if (o.queue) {
          queued = await queueDriftReconciliation(check.reconciliation.proposals, approvalRoute(policy, store, snapshot));
          await journalQueued(store, ACTOR, snapshot.at, queued, (q) => q.approvalId
            ? `Drift reconciliation "${describeAction(q.verdict.action)}" queued for approval ${q.approvalId}.`
            : `Drift reconciliation "${describeAction(q.proposal.action)}" denied by the guardrails: ${q.verdict.reasons.join('; ')}`);
        }
        const found = check.report.items.filter((i) => !i.ignored).length;
        if (o.json) {
          printJson({ source: { kind: live.kind, where: live.where }, at: snapshot.at, drifted: found, report: check.report, reconciliation: check.reconciliation, queued });
        } else {
          const lines = [formatDriftCheck(check)];
          if (queued) {
            if (queued.length === 0) lines.push('Nothing to queue.');
            for (const q of queued) {
              lines.push(q.approvalId
                ? `queued for approval ${q.approvalId}: ${describeAction(q.verdict.action)} (autonomic approvals approve ${q.approvalId} --by NAME)`
                : `not queued, the guardrails deny ${describeAction(q.proposal.action)}: ${q.verdict.reasons.join('; ')}`);
            }
          } else if (check.reconciliation.proposals.length > 0) {
            lines.push('Nothing queued: add --queue to send the reconciling proposals to the approval queue.');
          }
          process.stdout.write(lines.join('\n') + '\n');
        }
        // Scripts (cron, CI) tell a clean system from a drifted one by the exit code.
        if (found > 0) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
