/**
 * An AppProfile as IntentSpec fields, for the planner to fold into an intent: image, ports, env,
 * readiness/liveness probes and name. Secret env values were never read, so those variables become
 * references to a Secret named "<app>-secrets" (key = variable name) that the operator provides.
 */
import { z } from 'zod';
import { EnvSchema, PortSchema, ProbeSchema, type EnvVar, type PortSpec, type ProbeSpec } from '../spec.js';
import type { AppProfile } from './profile.js';

export interface SpecHints {
  name?: string;
  image?: string;
  ports: PortSpec[];
  env: EnvVar[];
  probes: ProbeSpec[];
}

export function profileToSpecHints(profile: AppProfile): SpecHints {
  const ports = z.array(PortSchema).parse(profile.ports.map((p) => ({ port: p.port, protocol: p.protocol })));
  const env = z.array(EnvSchema).parse(
    profile.env.flatMap((e): EnvVar[] => {
      if (e.secret) return [{ name: e.name, from: { kind: 'secret', name: `${profile.name}-secrets`, key: e.name } }];
      return e.value === undefined ? [] : [{ name: e.name, value: e.value }];
    }),
  );
  const probePort = profile.healthPort ?? profile.ports.find((p) => p.protocol === 'TCP')?.port;
  const probes = z
    .array(ProbeSchema)
    .parse(profile.healthPath && probePort ? (['readiness', 'liveness'] as const).map((kind) => ({ kind, http: { path: profile.healthPath!, port: probePort } })) : []);
  return { name: profile.name, ...(profile.image ? { image: profile.image } : {}), ports, env, probes };
}
