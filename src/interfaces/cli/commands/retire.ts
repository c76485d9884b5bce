import type { Command } from 'commander';
import { describeAction } from '../../../core/action.js';
import { defaultPolicy, loadPolicyFile } from '../../../govern/policy.js';
import { openStore } from '../../../knowledge/store.js';
import { TelemetryStore } from '../../../knowledge/telemetry.js';
import { retirementOptions } from '../../../plan/lifecycle/retirement.js';
import { queueRetirements, type QueuedRetirement } from '../../../plan/lifecycle/retirement-approval.js';
import { formatRetirements, scanRetirements } from '../../../plan/lifecycle/retirement-scan.js';
import { loadServiceGraph } from '../../../plan/lifecycle/service-graph.js';
import { positiveNumber } from '../args.js';
import { printJson } from '../format.js';
import { addLiveSourceOptions, approvalRoute, journalQueued, liveSourceFromFlags, readLiveSnapshot, type LiveCommandFlags } from '../live-source.js';

interface RetireOptions extends LiveCommandFlags {
  graph?: string;
  idleDays: number;
  idleHours: number;
}

const ACTOR = 'autonomic retire';

export function registerRetire(program: Command): void {
  const cmd = program
    .command('retire')
    .description(
      'List what costs money and does nothing: services that served no requests for --idle-days (from the request-rate ' +
        'history `autonomic run` stores) or that nothing routes to, and nodes that ran no pods for --idle-hours; each with ' +
        'its impact (dependents, routes, traffic seen, monthly saving). Reads only; --queue puts them in the approval queue.',
    );
  addLiveSourceOptions(cmd)
    .option('--graph <file>', 'service graph YAML: dependencies: {web: [api]}, routes: {api: [ingress/shop], legacy: []} (a service routed to by [] is orphaned)')
    .option('--idle-days <n>', 'days without a request before a service is a candidate', positiveNumber('--idle-days', 365), 14)
    .option('--idle-hours <n>', 'hours without pods before a node is a candidate', positiveNumber('--idle-hours', 24 * 365), 24)
    .option('--policy <file>', 'guardrail policy YAML the queued proposals are checked against (default: the built-in policy)')
    .option('--db <path>', 'knowledge store holding the telemetry history (default .autonomic/autonomic.db or $AUTONOMIC_DB)')
    .option('--queue', 'check each candidate against the guardrails and queue it for a human (`autonomic approvals`); retirement always needs approval')
    .option('--json', 'one JSON object on stdout: {source, at, candidates, queued}')
    .addHelpText(
      'after',
      '\nMissing history is not idleness: a service or node needs stored data over 90 % of its window (`autonomic run` records\n' +
        'it in 5-minute buckets), so a fresh store finds nothing until the windows have passed.\n' +
        '\nExit codes: 0 nothing to retire, 1 candidates found, 2 bad input or the live system could not be read.\n' +
        '\nExamples:\n' +
        '  autonomic retire --prometheus http://127.0.0.1:9090\n' +
        '  autonomic retire --kubeconfig ~/.kube/config --graph services.yaml --idle-days 30 --json\n' +
        '  autonomic retire --prometheus-config prom.yaml --idle-hours 12 --queue   # then: autonomic approvals list\n',
    )
    .action(async (o: RetireOptions) => {
      // Everything is validated and the live system read before the store is opened: bad input writes nothing.
      const options = retirementOptions({ idleServiceDays: o.idleDays, idleNodeHours: o.idleHours });
      const graph = o.graph !== undefined ? loadServiceGraph(o.graph) : undefined;
      const policy = o.policy !== undefined ? loadPolicyFile(o.policy) : defaultPolicy();
      const live = await liveSourceFromFlags(o);
      const snapshot = await readLiveSnapshot(live);
      const store = await openStore(o.db);
      try {
        const candidates = await scanRetirements({ snapshot, history: new TelemetryStore(store.db), graph, options });
        let queued: QueuedRetirement[] | null = null;
        if (o.queue) {
          queued = await queueRetirements(candidates, approvalRoute(policy, store, snapshot));
          await journalQueued(store, ACTOR, snapshot.at, queued, (q) => q.approvalId
            ? `Retirement of ${q.candidate.resource} ("${describeAction(q.verdict.action)}") queued for approval ${q.approvalId}.`
            : `Retirement of ${q.candidate.resource} denied by the guardrails: ${q.verdict.reasons.join('; ')}`);
        }
        if (o.json) {
          const queuedOut = queued?.map((q) => ({ resource: q.candidate.resource, outcome: q.verdict.outcome, action: q.verdict.action, reasons: q.verdict.reasons, approvalId: q.approvalId ?? null })) ?? null;
          printJson({ source: { kind: live.kind, where: live.where }, at: snapshot.at, options, candidates, queued: queuedOut });
        } else {
          process.stdout.write(formatRetirements(queued ?? candidates) + '\n');
        }
        if (candidates.length > 0) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
