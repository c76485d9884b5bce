import type { Command } from 'commander';
import { UserError } from '../../../core/errors.js';
import type { Run, RunStatus } from '../../../knowledge/runs.js';
import { openStore, type Store } from '../../../knowledge/store.js';
import { prepareSimulation, SimulationSpecSchema, type SimulationReport } from '../../../loop/simulation.js';
import { integer, oneOf } from '../args.js';
import { formatTable, printJson } from '../format.js';
import { progressBars, trackedSimulation } from '../tracked-run.js';
import { printReports } from './simulate.js';

const STATUSES: readonly RunStatus[] = ['running', 'completed', 'failed', 'interrupted'];

async function mustGet(store: Store, id: string): Promise<Run> {
  const run = await store.runs.get(id);
  if (!run) throw new UserError(`no run with id '${id}' (see 'autonomic runs list')`, 'run');
  return run;
}

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('List, report and resume recorded runs (simulations and the demo).');

  runs
    .command('list')
    .description('Recorded runs, newest first. Runs whose process died are shown as interrupted.')
    .option('--status <status>', `only runs with this status: ${STATUSES.join(', ')}`, oneOf('--status', STATUSES))
    .option('--limit <n>', 'at most n runs', integer('--limit', 1, 100000), 20)
    .option('--db <path>', 'knowledge store')
    .option('--json', 'JSON output')
    .action(async (o: { status?: RunStatus; limit: number; db?: string; json?: boolean }) => {
      const store = await openStore(o.db);
      try {
        const list = await store.runs.list({ status: o.status, limit: o.limit });
        if (o.json) return printJson(list);
        process.stdout.write(
          formatTable(
            list.map((r) => ({
              id: r.id,
              command: r.command,
              status: r.status,
              policy: policyOf(r),
              started: new Date(r.createdAt * 1000).toISOString().slice(0, 19).replace('T', ' '),
              'sim progress': progressOf(r),
            })),
          ) + '\n',
        );
      } finally {
        await store.close();
      }
    });

  runs
    .command('report <id>')
    .description('The report of a run; for an interrupted run, its progress at the last checkpoint.')
    .option('--db <path>', 'knowledge store')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { db?: string; json?: boolean }) => {
      const store = await openStore(o.db);
      try {
        const run = await mustGet(store, id);
        if (o.json) return printJson(run);
        if (run.status === 'completed' && run.result) return printReports([run.result as unknown as SimulationReport], run.id);
        process.stdout.write(`run ${run.id}: ${run.status}${run.error ? ` (${run.error})` : ''}\n`);
        process.stdout.write(`progress at last checkpoint: ${progressOf(run)}\n`);
        if (run.progress) process.stdout.write(JSON.stringify(run.progress, null, 2) + '\n');
        if (run.status === 'interrupted' || run.status === 'failed') process.stdout.write(`resume with: autonomic runs resume ${run.id}\n`);
      } finally {
        await store.close();
      }
    });

  runs
    .command('resume <id>')
    .description('Continue an interrupted or failed simulation. It replays deterministically from the start and writes only what the journal does not hold yet.')
    .option('--db <path>', 'knowledge store')
    .option('--json', 'JSON output')
    .option('--no-progress', 'no progress bar')
    .action(async (id: string, o: { db?: string; json?: boolean; progress: boolean }) => {
      const store = await openStore(o.db);
      try {
        const run = await mustGet(store, id);
        if (run.status !== 'interrupted' && run.status !== 'failed') throw new UserError(`run ${id} is ${run.status}; only interrupted or failed runs can be resumed`, 'run');
        const spec = SimulationSpecSchema.safeParse(run.config);
        if (!spec.success) throw new UserError(`run ${id} is not a simulation this version can resume`, 'run');
        const prepared = prepareSimulation(spec.data);
        const resumed = await store.runs.resume(id);
        const bars = progressBars(o.progress && !o.json);
        const { report } = await trackedSimulation(store, prepared, bars.bar(spec.data.policy), resumed).finally(() => bars.stop());
        if (o.json) printJson({ runId: id, ...report });
        else printReports([report], id);
      } finally {
        await store.close();
      }
    });
}

function policyOf(r: Run): string {
  const c = r.config;
  return c !== null && typeof c === 'object' && !Array.isArray(c) && typeof c.policy === 'string' ? c.policy : '';
}

function progressOf(r: Run): string {
  const p = r.progress;
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return r.status === 'completed' ? 'done' : '-';
  const done = Number(p.doneSeconds), total = Number(p.totalSeconds);
  // Up to two decimals, so a 0.25-day run is not shown as '/0 days'.
  const days = (seconds: number): string => String(Number((seconds / 86400).toFixed(2)));
  return Number.isFinite(done) && total > 0 ? `${days(done)}/${days(total)} days` : '-';
}
