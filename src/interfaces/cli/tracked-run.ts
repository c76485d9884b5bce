import cliProgress from 'cli-progress';
import type { Store } from '../../knowledge/store.js';
import type { Run } from '../../knowledge/runs.js';
import { runSimulation, type PreparedSimulation, type SimulationDeps, type SimulationProgress, type SimulationReport } from '../../loop/simulation.js';

/** A progress bar on stderr (only on a terminal, so pipes and --json stay clean), one per run. */
export function progressBars(enabled: boolean): { bar(label: string): (p: SimulationProgress) => void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { bar: () => () => undefined, stop: () => undefined };
  const multi = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: ' {label} [{bar}] {percentage}% | day {day}/{days} | ${cost} | SLO-violation {slo} min | {actions} actions',
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    bar(label) {
      const b = multi.create(1, 0, { label: label.padEnd(10), day: 0, days: 0, cost: '0', slo: '0', actions: 0 });
      return (p) => {
        b.setTotal(p.totalSeconds);
        b.update(p.doneSeconds, {
          day: (p.doneSeconds / 86400).toFixed(1), days: (p.totalSeconds / 86400).toFixed(0),
          cost: p.costDollars.toFixed(2), slo: p.sloViolationMinutes.toFixed(0), actions: p.actions,
        });
      };
    },
    stop: () => multi.stop(),
  };
}

/**
 * Runs a simulation as a recorded run: journal entries tagged with the run id, an hourly checkpoint of its
 * progress, and the final report as the run's result. `resumed` replays an interrupted run deterministically,
 * writing nothing the journal already holds.
 */
export async function trackedSimulation(
  store: Store,
  prepared: PreparedSimulation,
  onProgress: (p: SimulationProgress) => void,
  resumed?: Run,
  /** Per-tick observers for this run (shadow mode), given the run and what its journal already holds. */
  observe?: (run: Run, journaledUntil: number | undefined) => Pick<SimulationDeps, 'onTick'>,
): Promise<{ run: Run; report: SimulationReport }> {
  const spec = prepared.spec;
  const run = resumed ?? (await store.runs.create({ command: 'simulate', config: spec, seed: spec.seed }));
  const journaledUntil = resumed ? await store.journal.lastAt(run.id) : undefined;
  if (!resumed) {
    await store.journal.append({
      at: prepared.twin.time, runId: run.id, kind: 'run', actor: 'cli',
      summary: `Started a ${spec.days}-day simulation with the ${spec.policy} policy (${spec.load.kind === 'trace' ? `trace ${spec.load.file}` : `generator ${spec.load.name}`}, seed ${spec.seed}, mode ${spec.mode}).`,
      payload: { spec },
    });
  }
  try {
    const report = await runSimulation(prepared, {
      store,
      runId: run.id,
      journaledUntil,
      onProgress,
      onCheckpoint: (at, p) => store.runs.checkpoint(run.id, at, p),
      ...observe?.(run, journaledUntil),
    });
    await store.journal.append({
      at: prepared.twin.time, runId: run.id, kind: 'run', actor: 'cli',
      summary: `Finished: $${report.costDollars.toFixed(2)}, ${report.sloViolationMinutes} SLO-violation minutes, ${report.actions} actions, ${report.flaps} flaps.`,
      payload: { report },
    });
    await store.runs.complete(run.id, report);
    return { run, report };
  } catch (e) {
    await store.runs.fail(run.id, (e as Error).message).catch(() => undefined);
    throw e;
  }
}
