import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../../../core/errors.js';
import { openStore, resolveDbPath, storeFlavor } from '../../../knowledge/store.js';
import { integer } from '../args.js';
import { formatTable, printJson } from '../format.js';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('Read and verify the tamper-evident decision journal.');

  audit
    .command('list')
    .description('Journal entries in order: when, who (policy, model or person), what and why.')
    .option('--run <id>', 'only entries of this run')
    .option('--kind <kind>', 'only entries of this kind (decision, fault, anomaly, approval, run; remediation: detection, diagnosis, verification, recovery, undo, escalation, remediation)')
    .option('--after <seq>', 'only entries after this sequence number', integer('--after', 0, Number.MAX_SAFE_INTEGER))
    .option('--limit <n>', 'at most n entries', integer('--limit', 1, 1_000_000), 50)
    .option('--db <path>', 'knowledge store')
    .option('--json', 'JSON output (full payloads)')
    .action(async (o: { run?: string; kind?: string; after?: number; limit: number; db?: string; json?: boolean }) => {
      const store = await openStore(o.db);
      try {
        const entries = await store.journal.list({ runId: o.run, kind: o.kind, afterSeq: o.after, limit: o.limit });
        if (o.json) return printJson(entries);
        process.stdout.write(
          formatTable(
            entries.map((e) => ({
              seq: e.seq,
              at: new Date(e.at * 1000).toISOString().slice(0, 19).replace('T', ' '),
              kind: e.kind,
              actor: e.actor,
              summary: e.summary.length > 160 ? `${e.summary.slice(0, 157)}...` : e.summary,
            })),
          ) + '\n',
        );
      } finally {
        await store.close();
      }
    });

  audit
    .command('verify')
    .description('Recompute the hash chain over every entry. Exit code 0 when intact, 1 when an entry was edited, deleted, inserted or reordered.')
    .option('--db <path>', 'knowledge store')
    .option('--json', 'JSON output')
    .action(async (o: { db?: string; json?: boolean }) => {
      // Opening creates an empty store, which would verify as "intact": a missing (deleted, mistyped) store is an error.
      const path = resolveDbPath(o.db);
      if (storeFlavor(path) === 'sqlite' && path !== ':memory:' && path !== '' && !existsSync(path)) throw new UserError('no knowledge store here: nothing to verify (check --db or $AUTONOMIC_DB)', path);
      const store = await openStore(o.db);
      try {
        const r = await store.journal.verify();
        if (o.json) printJson(r);
        else if (r.ok) process.stdout.write(`journal intact: ${r.entries} entries, head #${r.head.seq} ${r.head.hash.slice(0, 16)}…\n`);
        else process.stdout.write(`JOURNAL TAMPERED: ${r.problem} at entry #${r.firstBadSeq}: ${r.detail}\n`);
        if (!r.ok) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
