import type { Command } from 'commander';
import { describeAction } from '../../../core/action.js';
import type { Approval } from '../../../govern/approval.js';
import { ApprovalQueue } from '../../../govern/approvals.js';
import { openStore, type Store } from '../../../knowledge/store.js';
import { oneOf } from '../args.js';
import { registerDecisionCommands } from '../decision-commands.js';
import { formatTable, printJson } from '../format.js';

const STATUSES: readonly Approval['status'][] = ['pending', 'approved', 'rejected', 'expired', 'executed'];

/** Expires what is overdue first, so nobody can approve an action whose world has gone. */
async function queueOf(store: Store): Promise<ApprovalQueue> {
  const q = new ApprovalQueue(store.approvals);
  await q.expire(Date.now() / 1000);
  return q;
}

export function registerApprovals(program: Command): void {
  const approvals = program.command('approvals').description('The queue of high-risk actions waiting for a human decision.');

  approvals
    .command('list')
    .description('Queued actions with why they were proposed and why they need approval.')
    .option('--status <status>', `filter: ${STATUSES.join(', ')} (default pending)`, oneOf('--status', STATUSES), 'pending')
    .option('--db <path>', 'knowledge store')
    .option('--json', 'JSON output')
    .action(async (o: { status: Approval['status']; db?: string; json?: boolean }) => {
      const store = await openStore(o.db);
      try {
        const list = await (await queueOf(store)).list(o.status);
        if (o.json) return printJson(list);
        process.stdout.write(
          formatTable(
            list.map((a) => ({
              id: a.id,
              action: describeAction(a.action),
              source: a.source,
              expires: new Date(a.expiresAt * 1000).toISOString().slice(0, 19).replace('T', ' '),
              status: a.status,
              why: a.rationale.length > 100 ? `${a.rationale.slice(0, 97)}...` : a.rationale,
            })),
          ) + '\n',
        );
      } finally {
        await store.close();
      }
    });

  registerDecisionCommands(approvals, {
    describe: 'a pending action. The decision and who made it go into the journal.',
    byHelp: 'who decides (recorded in the journal)',
    decide: async (store, id, verb, o) => {
      const q = await queueOf(store);
      const now = Date.now() / 1000;
      const a = verb === 'approve' ? await q.approve(id, o.by, now, o.note) : await q.reject(id, o.by, now, o.note);
      await store.journal.append({
        at: now, kind: 'approval', actor: o.by,
        summary: `${o.by} ${verb === 'approve' ? 'approved' : 'rejected'} "${describeAction(a.action)}"${o.note ? `: ${o.note}` : ''}.`,
        payload: { approvalId: a.id, status: a.status, action: a.action, note: o.note ?? null },
      });
      if (o.json) printJson(a);
      else process.stdout.write(`${a.id}: ${a.status} by ${o.by} (${describeAction(a.action)})\n`);
    },
  });
}
