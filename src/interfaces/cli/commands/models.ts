import { statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../../core/errors.js';
import { MODEL_FACTORIES, prepareForecasters } from '../../../analyze/forecast/models.js';
import { DEFAULT_RETRAIN_KINDS, retrain, type SeriesOutcome } from '../../../analyze/forecast/retrain.js';
import { ModelRegistry, type ModelRecord, type ModelStatus } from '../../../knowledge/model-registry.js';
import { openStore } from '../../../knowledge/store.js';
import { BUCKET_SECONDS, TelemetryStore } from '../../../knowledge/telemetry.js';
import { loadCsvSeries, loadTraceFolder, readTable, type TraceSeries } from '../../../monitor/trace.js';
import { oneOf } from '../args.js';
import { formatTable, printJson } from '../format.js';

const STATUSES: readonly ModelStatus[] = ['candidate', 'active', 'retired'];

/**
 * A trace folder (the protocol layout) or a CSV `timestamp,value[,…]` file, as keyed series. A CSV
 * with one value column is keyed by its file name, with several by `<file name>/<column>`.
 */
function readTrace(path: string): { key: string; series: TraceSeries }[] {
  let dir: boolean;
  try {
    dir = statSync(path).isDirectory();
  } catch {
    throw new UserError('no such file or folder', path);
  }
  if (dir) return loadTraceFolder(path).map((s) => ({ key: s.id, series: s }));
  const columns = readTable(path).header.slice(1);
  if (columns.length === 0) throw new UserError('expected at least two columns: timestamp,value', `${path}:1`);
  const stem = basename(path, extname(path));
  return columns.map((c) => ({ key: columns.length === 1 ? stem : `${stem}/${c}`, series: loadCsvSeries(path, { column: c }) }));
}

function parseKinds(v: string): string[] {
  const kinds = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (kinds.length === 0) throw new UserError('expected a comma-separated list of model kinds', '--kinds');
  for (const k of kinds) if (!MODEL_FACTORIES[k]) throw new UserError(`unknown model kind '${k}' (known: ${Object.keys(MODEL_FACTORIES).join(', ')})`, '--kinds');
  return kinds;
}

const day = (sec: number) => new Date(sec * 1000).toISOString().slice(0, 16).replace('T', ' ');
const score = (v: number | null) => (v === null ? '-' : v);
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 3)}...` : s);

/** JSON form of a record: the state blob is summarised by its size. */
function recordJson(m: ModelRecord): Omit<ModelRecord, 'state'> & { stateBytes: number } {
  const { state, ...rest } = m;
  return { ...rest, stateBytes: state?.byteLength ?? 0 };
}

export function registerModels(program: Command): void {
  const models = program.command('models').description('The forecasting model registry: trained models per series, their backtest scores, and which one is active.');

  models
    .command('list')
    .description('Registered models in registration order, or (--events) every registration, promotion, refusal and retirement with its reason.')
    .option('--series <key>', 'only this series')
    .option('--status <status>', `only models with this status: ${STATUSES.join(', ')}`, oneOf('--status', STATUSES))
    .option('--events', 'the decision log instead of the models')
    .option('--db <path>', 'knowledge store')
    .option('--json', 'JSON output')
    .action(async (o: { series?: string; status?: ModelStatus; events?: boolean; db?: string; json?: boolean }) => {
      const store = await openStore(o.db);
      try {
        const registry = new ModelRegistry(store.db);
        if (o.events) {
          const events = await registry.events({ seriesKey: o.series });
          if (o.json) return printJson(events);
          process.stdout.write(formatTable(events.map((e) => ({ at: day(e.at), series: e.seriesKey, model: e.modelId, event: e.event, reason: clip(e.reason, 120) }))) + '\n');
          return;
        }
        const list = await registry.history({ seriesKey: o.series, status: o.status });
        if (o.json) return printJson(list.map(recordJson));
        process.stdout.write(
          formatTable(
            list.map((m) => ({
              id: m.id,
              series: m.seriesKey,
              kind: m.kind,
              version: m.version,
              status: m.status,
              mase_1h: score(m.scores.mase_1h),
              mase_24h: score(m.scores.mase_24h),
              origins: m.scores.n_origins,
              trained_on: `${day(m.trainStart)} .. ${day(m.trainEnd)}`,
              created: day(m.createdAt),
            })),
          ) + '\n',
        );
      } finally {
        await store.close();
      }
    });

  models
    .command('retrain')
    .description(
      'Fit each model kind per series on stored telemetry, backtest it on the last 25 % (at most 7 days; hourly origins, 1 h and 24 h MASE), ' +
        'register it, and make it active only if it beats the active model. --trace first stores a trace as telemetry.',
    )
    .option('--trace <path>', "store this trace first: a CSV 'timestamp,value[,…]' file or a trace folder (bitbrains-rnd/, datacenter-aggregates/, nasa-http/)")
    .option('--series <key>', 'only this series')
    .option('--kinds <list>', `model kinds to fit (default ${DEFAULT_RETRAIN_KINDS.join(',')}; also lstm, transformer)`, parseKinds)
    .option('--db <path>', 'knowledge store')
    .option('--json', 'JSON output')
    .option('--no-progress', 'no progress lines on stderr')
    .addHelpText('after', '\nExamples:\n  autonomic models retrain --trace ../shared/data/traces --series nasa-http/1995-07\n  autonomic models retrain --kinds ets,auto,transformer   # from stored telemetry, e.g. from cron\n  autonomic models list --events\n')
    .action(async (o: { trace?: string; series?: string; kinds?: string[]; db?: string; json?: boolean; progress: boolean }) => {
      // Read and validate the trace before the store is opened: bad input writes nothing.
      const trace = o.trace ? readTrace(o.trace) : null;
      if (trace && o.series && !trace.some((t) => t.key === o.series)) {
        throw new UserError(`no series '${o.series}' in ${o.trace} (have: ${trace.map((t) => t.key).join(', ')})`, '--series');
      }
      const kinds = o.kinds ?? DEFAULT_RETRAIN_KINDS;
      await prepareForecasters(kinds);
      const say = (msg: string) => {
        if (o.progress) process.stderr.write(msg + '\n');
      };
      const store = await openStore(o.db);
      try {
        const telemetry = new TelemetryStore(store.db);
        for (const t of trace ?? []) {
          if (o.series && t.key !== o.series) continue;
          const rows = await telemetry.append(t.key, Math.floor((t.series.start ?? 0) / BUCKET_SECONDS), t.series.values);
          say(`stored ${rows} buckets of ${t.key}`);
        }
        const keys = await telemetry.keys();
        if (keys.length === 0) throw new UserError('no stored telemetry yet: pass --trace FILE', '--trace');
        if (o.series && !keys.includes(o.series)) throw new UserError(`no stored telemetry for series '${o.series}' (have: ${keys.slice(0, 20).join(', ')}${keys.length > 20 ? ', …' : ''})`, '--series');
        const outcomes = await retrain(telemetry, new ModelRegistry(store.db), { kinds, seriesKeys: o.series ? [o.series] : keys, onProgress: say });
        if (o.json) return printJson(outcomes);
        printOutcomes(outcomes);
      } finally {
        await store.close();
      }
    });
}

function printOutcomes(outcomes: SeriesOutcome[]): void {
  const rows = outcomes.flatMap((s) =>
    s.kinds.map((k) => ({
      series: s.seriesKey,
      kind: k.kind,
      version: k.version ?? '-',
      mase_1h: score(k.scores?.mase_1h ?? null),
      mase_24h: score(k.scores?.mase_24h ?? null),
      decision: k.decision,
      reason: clip(k.reason, 100),
    })),
  );
  process.stdout.write(formatTable(rows) + '\n\n');
  for (const s of outcomes) process.stdout.write(`${s.seriesKey}: active ${s.activeKind ?? 'none'}${s.activeId !== null ? ` (#${s.activeId})` : ''}\n`);
}
