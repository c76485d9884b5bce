import type { Command } from 'commander';
import { UserError } from '../../../core/errors.js';
import { INTENT_STATUSES, type StoredIntent, type StoredIntentStatus } from '../../../knowledge/intent-store.js';
import { openStore } from '../../../knowledge/store.js';
import { applyIntent, decideIntent } from '../../intent-service.js';
import { oneOf } from '../args.js';
import { registerDecisionCommands } from '../decision-commands.js';
import { formatTable, printJson } from '../format.js';

const when = (t: number): string => new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ');

function showText(i: StoredIntent): string {
  const plan = i.plan as { decisions?: { topic: string; choice: string; rationale: string }[] } | null;
  const lines = [
    `${i.id}  ${i.status}${i.approvalRequired ? ' (approval required)' : ''}  target ${i.target}  created ${when(i.createdAt)}`,
    `request: ${i.text}`,
  ];
  if (i.parentId) lines.push(`changes: ${i.parentId}`);
  if (i.decidedBy) lines.push(`decided by ${i.decidedBy} at ${when(i.decidedAt ?? i.updatedAt)}`);
  if (i.appliedTo) lines.push(`written to ${i.appliedTo}`);
  if (plan?.decisions?.length) lines.push('plan:', ...plan.decisions.map((d) => `  - ${d.topic}: ${d.choice} — ${d.rationale}`));
  if (i.files.length) lines.push('files:', ...i.files.map((f) => `  ${f.path} (${f.kind})`));
  lines.push(`findings: ${i.findings.length}`, ...i.findings.slice(0, 30).map((f) => `  ${f.severity} ${f.ruleId} ${f.object}: ${f.message}`));
  return lines.join('\n') + '\n';
}

export function registerIntent(program: Command): void {
  const intent = program.command('intent').description('Intent bundles made by `autonomic ask`, the API or MCP: list, inspect, approve, reject, apply.');

  intent
    .command('list')
    .description('Bundles, newest first.')
    .option('--status <status>', `filter: ${INTENT_STATUSES.join(', ')}`, oneOf('--status', INTENT_STATUSES))
    .option('--limit <n>', 'at most this many', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 10000) throw new UserError(`expected an integer in 1..10000, got '${v}'`, '--limit');
      return n;
    }, 50)
    .option('--db <path>', 'knowledge store')
    .option('--json', 'JSON output')
    .action(async (o: { status?: StoredIntentStatus; limit: number; db?: string; json?: boolean }) => {
      const store = await openStore(o.db);
      try {
        const list = await store.intents.list({ status: o.status, limit: o.limit });
        if (o.json) return printJson(list.map(({ files, ...rest }) => ({ ...rest, files: files.map((f) => f.path) })));
        process.stdout.write(
          formatTable(list.map((i) => ({ id: i.id, created: when(i.createdAt), target: i.target, status: i.status, approval: i.approvalRequired ? 'required' : '-', files: i.files.length, request: i.text.length > 70 ? `${i.text.slice(0, 67)}...` : i.text }))) + '\n',
        );
      } finally {
        await store.close();
      }
    });

  intent
    .command('show <id>')
    .description('One bundle: request, plan with rationale, files, findings, decision.')
    .option('--file <path>', 'print only this artefact file’s content')
    .option('--db <path>', 'knowledge store')
    .option('--json', 'JSON output (everything, file contents included)')
    .action(async (id: string, o: { file?: string; db?: string; json?: boolean }) => {
      const store = await openStore(o.db);
      try {
        const i = await store.intents.require(id);
        if (o.file !== undefined) {
          const f = i.files.find((x) => x.path === o.file);
          if (!f) throw new UserError(`intent ${id} has no file "${o.file}" (files: ${i.files.map((x) => x.path).join(', ') || 'none'})`, '--file');
          process.stdout.write(f.content);
          return;
        }
        if (o.json) return printJson(i);
        process.stdout.write(showText(i));
      } finally {
        await store.close();
      }
    });

  registerDecisionCommands(intent, {
    describe: 'a bundle; who decided goes into the journal. A decided bundle cannot be decided again.',
    byHelp: 'who decides',
    decide: async (store, id, verb, o) => {
      const i = await decideIntent(store, id, verb, o.by, o.note);
      if (o.json) printJson(i);
      else process.stdout.write(`${i.id}: ${i.status} by ${o.by}\n`);
    },
  });

  intent
    .command('apply <id>')
    .description('Write an approved (or approval-free, ready) bundle to a folder for kubectl / terraform / ansible-playbook, and record it.')
    .requiredOption('--out <dir>', 'empty or new folder for the files')
    .option('--by <name>', 'who applies (journal)', process.env.USER ?? 'cli')
    .option('--db <path>', 'knowledge store')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { out: string; by: string; db?: string; json?: boolean }) => {
      const store = await openStore(o.db);
      try {
        const { intent: i, written } = await applyIntent(store, id, o.out, o.by);
        if (o.json) return printJson({ id: i.id, status: i.status, out: i.appliedTo, files: written });
        const next: string[] = [];
        if (i.files.some((f) => f.kind === 'kubernetes')) next.push(`kubectl apply -f ${o.out}/kubernetes`);
        if (i.files.some((f) => f.kind === 'terraform')) next.push(`terraform -chdir=${o.out} init && terraform -chdir=${o.out} apply`);
        if (i.files.some((f) => f.kind === 'ansible-playbook')) next.push(`ansible-playbook -i ${o.out}/ansible/inventory.yml ${o.out}/ansible/site.yml`);
        process.stdout.write(`${i.id}: wrote ${written.length} file(s) to ${i.appliedTo}\n${next.map((n) => `  then: ${n}`).join('\n')}\n`);
      } finally {
        await store.close();
      }
    });
}
