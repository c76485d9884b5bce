import type { Command } from 'commander';
import { UserError } from '../../../core/errors.js';
import { TwinCluster } from '../../../execute/twin/cluster.js';
import { parseFaults } from '../../../execute/twin/faults.js';
import { readLoadTrace } from '../../../execute/twin/load.js';
import { startTwinServer } from '../../../execute/twin/metrics-server.js';
import { parseGeneratorName, scenarioTwin, type LoadChoice } from '../../../loop/scenario.js';
import { integer, positiveNumber } from '../args.js';
import { untilStopSignal } from '../stop-signal.js';

interface ServeOptions {
  port: number;
  host: string;
  speed: number;
  generator?: string;
  trace?: string;
  faults: string;
  seed: number;
}

/** The scenario twin for a load choice, seed and fault list: the same cluster `simulate` runs. */
export function buildScenarioTwin(load: LoadChoice, seed: number, faults: string): TwinCluster {
  const trace = load.kind === 'trace' ? readLoadTrace(load.file) : undefined;
  const twin = new TwinCluster(scenarioTwin(load, seed, trace));
  for (const f of parseFaults(faults, twin.serviceNames())) twin.inject(f);
  return twin;
}

export function registerSim(program: Command): void {
  const sim = program.command('sim').description('The digital-twin cluster on its own.');
  sim
    .command('serve')
    .description(
      'Run the twin in (accelerated) real time and serve its pods, services and nodes at /metrics in the Prometheus format ' +
        '(kube-state-metrics, cAdvisor and HTTP metric names), plus /healthz. Stops cleanly on Ctrl-C or SIGTERM.',
    )
    .option('--port <n>', 'port to listen on (0 = any free port)', integer('--port', 0, 65535), 9464)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--speed <x>', 'simulated seconds per wall-clock second; counters are scaled so rate() still gives simulated per-second rates', positiveNumber('--speed', 3600), 1)
    .option('--generator <name>', 'offered load from a built-in generator: steady, diurnal, spiky (default diurnal)')
    .option('--trace <file>', "offered load from a CSV 'timestamp,value' trace")
    .option('--faults <spec>', "faults to inject, in simulated time, e.g. 'crash-loop:web@10m/5m, node-crash@1h'", '')
    .option('--seed <n>', 'random seed', integer('--seed', 0, 2 ** 31 - 1), 1)
    .addHelpText(
      'after',
      '\nA PromQL window of 60/speed seconds covers one simulated minute (the HPA window): at --speed 10 use rate(...[6s]).\n' +
        '\nExample:\n  autonomic sim serve --port 9464 --speed 10 --generator diurnal\n  # prometheus.yml: scrape_configs: [{job_name: twin, scrape_interval: 1s, static_configs: [{targets: [127.0.0.1:9464]}]}]\n',
    )
    .action(async (o: ServeOptions) => {
      if (o.trace && o.generator) throw new UserError('give either --trace or --generator, not both', '--trace/--generator');
      const load: LoadChoice = o.trace ? { kind: 'trace', file: o.trace } : { kind: 'generator', name: parseGeneratorName(o.generator ?? 'diurnal') };
      const twin = buildScenarioTwin(load, o.seed, o.faults);
      let server;
      try {
        server = await startTwinServer(twin, { host: o.host, port: o.port, speed: o.speed });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') throw new UserError(`cannot listen on ${o.host}:${o.port} (${err.code})`, '--host/--port');
        throw e;
      }
      const snap = twin.snapshotNow();
      process.stdout.write(
        `twin serving ${server.url}/metrics (speed ${o.speed}×, ${snap.services.length} services, ${snap.nodes.length} nodes, seed ${o.seed}); Ctrl-C stops\n`,
      );
      await untilStopSignal();
      await server.close();
      process.stdout.write('twin stopped\n');
    });
}
