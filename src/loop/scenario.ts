import { z } from 'zod';
import { UserError } from '../core/errors.js';
import type { TwinConfigInput, TwinServiceSchema } from '../execute/twin/cluster.js';
import { GENERATORS, readLoadTrace, type GeneratorName, type LoadSpecInput, type TracePoint } from '../execute/twin/load.js';

/**
 * The embedded default workload: a small shop (web front end, API, checkout) on m5.xlarge nodes, each service
 * with its own mean load. `static` replicas are what a team would provision by hand: enough for the usual daily
 * peak at 80 % utilisation, not for bursts.
 */
export interface ScenarioService {
  name: string;
  meanLoad: number;
  serviceRatePerReplica: number;
  cpuRequestMillis: number;
  memoryRequestMiB: number;
  staticReplicas: number;
  /** p99 latency objective: a few times the mean service time, as teams set them. */
  sloP99Ms: number;
}

export const SHOP: readonly ScenarioService[] = [
  { name: 'web', meanLoad: 300, serviceRatePerReplica: 50, cpuRequestMillis: 500, memoryRequestMiB: 512, staticReplicas: 12, sloP99Ms: 200 },
  { name: 'api', meanLoad: 400, serviceRatePerReplica: 100, cpuRequestMillis: 500, memoryRequestMiB: 768, staticReplicas: 8, sloP99Ms: 150 },
  { name: 'checkout', meanLoad: 60, serviceRatePerReplica: 30, cpuRequestMillis: 250, memoryRequestMiB: 256, staticReplicas: 4, sloP99Ms: 400 },
];
export const SCENARIO_NODE_TYPE = 'm5.xlarge';
/** The services' error-rate objective (the twin's default SLO: at most 0.1 % of requests failed or dropped). */
export const SCENARIO_SLO_ERROR_RATE = 0.001;
export const SCENARIO_NODES = 4;

/** Where the offered load comes from: a named generator or a CSV trace (replayed for every service). */
export const LoadChoiceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('generator'), name: z.enum(GENERATORS) }),
  z.object({ kind: z.literal('trace'), file: z.string().min(1) }),
]);
export type LoadChoice = z.infer<typeof LoadChoiceSchema>;

export function parseGeneratorName(name: string): GeneratorName {
  if (!(GENERATORS as readonly string[]).includes(name)) {
    throw new UserError(`unknown generator '${name}' (known: ${GENERATORS.join(', ')})`, '--generator');
  }
  return name as GeneratorName;
}

/**
 * The twin configuration for a load choice. A trace is scaled per service so its mean equals the service's mean
 * load (traces come as CPU %, requests per minute, ... — only their shape is used), and it loops when the run is
 * longer than the trace.
 */
export function scenarioTwin(load: LoadChoice, seed: number, trace?: readonly TracePoint[]): TwinConfigInput {
  const points = load.kind === 'trace' ? (trace ?? readLoadTrace(load.file)) : undefined;
  const traceMean = points ? points.reduce((s, p) => s + p.value, 0) / points.length : 0;
  if (points && !(traceMean > 0)) throw new UserError('trace values are all zero: nothing to scale to a load', load.kind === 'trace' ? load.file : undefined);
  const services = SHOP.map((s): z.input<typeof TwinServiceSchema> => {
    const spec: LoadSpecInput = points
      ? { trace: points.map((p) => ({ t: p.t, value: p.value })), scale: s.meanLoad / traceMean, repeat: true }
      : { generator: load.kind === 'generator' ? load.name : 'diurnal', params: { base: s.meanLoad, trendPerDay: 0.01, burstsPerDay: 1, burstMultiplier: 1.8 } };
    return {
      name: s.name,
      replicas: s.staticReplicas,
      cpuRequestMillis: s.cpuRequestMillis,
      memoryRequestMiB: s.memoryRequestMiB,
      serviceRatePerReplica: s.serviceRatePerReplica,
      sloP99Ms: s.sloP99Ms,
      sloErrorRate: SCENARIO_SLO_ERROR_RATE,
      load: spec,
    };
  });
  // A trace starts at its own first timestamp so its daily cycle lines up with the clock.
  const startTime = points ? Math.floor(points[0].t) : undefined;
  return {
    seed,
    ...(startTime !== undefined ? { startTime } : {}),
    nodePools: [{ instanceType: SCENARIO_NODE_TYPE, count: SCENARIO_NODES, spot: false }],
    services,
  };
}

export function staticReplicas(): Record<string, number> {
  return Object.fromEntries(SHOP.map((s) => [s.name, s.staticReplicas]));
}
