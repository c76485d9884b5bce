/**
 * Pod template parts from the spec: containers (ports, env, resources, probes, mounts, security),
 * volumes and pod-level settings. Only what the spec or plan holds is written, so an as-requested
 * build stays as small as the request.
 */
import type { IntentPlan } from '../plan.js';
import type { ContainerSpec, ProbeSpec, ResourceSpec, StorageSpec } from '../spec.js';
import { compact, type Json, type JsonObject } from './manifest.js';

export function resourcesBlock(r: ResourceSpec | undefined): JsonObject | undefined {
  if (!r) return undefined;
  const requests = compact({ cpu: r.cpuRequest, memory: r.memoryRequest, 'ephemeral-storage': r.ephemeralRequest });
  const limits = compact({ cpu: r.cpuLimit, memory: r.memoryLimit, 'ephemeral-storage': r.ephemeralLimit });
  const out = compact({ limits: Object.keys(limits).length > 0 ? limits : undefined, requests: Object.keys(requests).length > 0 ? requests : undefined });
  return Object.keys(out).length > 0 ? out : undefined;
}

export function probeBlock(p: ProbeSpec): JsonObject {
  const action: JsonObject = p.exec ? { exec: { command: p.exec } } : p.http ? { httpGet: { path: p.http.path, port: p.http.port } } : { tcpSocket: { port: p.tcpPort ?? 80 } };
  return { ...action, ...compact({ initialDelaySeconds: p.initialDelaySeconds, periodSeconds: p.periodSeconds, timeoutSeconds: p.timeoutSeconds, failureThreshold: p.failureThreshold }) };
}

/** Volume names must be DNS labels and unique within the pod. */
export function volumeName(v: StorageSpec, index: number): string {
  if (v.name) return v.name;
  const base = (s: string | undefined): string | undefined => {
    const seg = s?.split('/').filter(Boolean).pop();
    return seg ? seg.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || undefined : undefined;
  };
  switch (v.source) {
    case 'pvc':
    case 'claim-template':
      return index === 0 ? 'data' : `data-${index + 1}`;
    case 'host-path':
      return base(v.ref) ?? `host-${index + 1}`;
    case 'config-map':
      return 'config';
    case 'secret':
      return 'secret';
    case 'empty-dir':
      return base(v.mountPath) ?? `scratch-${index + 1}`;
    case 'nfs':
      return 'nfs';
  }
}

export function volumeBlock(v: StorageSpec, name: string, claimName: string | undefined): JsonObject | undefined {
  switch (v.source) {
    case 'pvc':
      return claimName ? { name, persistentVolumeClaim: { claimName } } : undefined;
    case 'claim-template':
      return undefined;
    case 'host-path':
      return { name, hostPath: compact({ path: v.ref ?? v.mountPath ?? '/', type: v.hostPathType }) };
    case 'config-map':
      return { name, configMap: compact({ name: v.ref ?? 'config', optional: v.optional }) };
    case 'secret':
      return { name, secret: compact({ secretName: v.ref ?? 'secret', optional: v.optional }) };
    case 'empty-dir':
      return { name, emptyDir: v.medium ? { medium: v.medium } : {} };
    case 'nfs':
      return { name, nfs: compact({ server: v.server ?? 'nfs-server', path: v.ref ?? '/' }) };
  }
}

export function mountBlock(v: StorageSpec, name: string): JsonObject | undefined {
  if (!v.mountPath) return undefined;
  return compact({ name, mountPath: v.mountPath, readOnly: v.readOnly, subPath: v.subPath });
}

export interface ContainerInputs {
  name: string;
  spec: Partial<ContainerSpec>;
  mounts: JsonObject[];
  plan?: IntentPlan;
  /** Add the plan's default probes / sizing (main container only). */
  primary: boolean;
}

export function containerBlock({ name, spec, mounts, plan, primary }: ContainerInputs): JsonObject {
  const ports: Json[] = (spec.ports ?? []).map((p) => compact({ containerPort: p.targetPort ?? p.port, name: p.name, protocol: p.protocol, hostPort: p.hostPort }));
  const env: Json[] = (spec.env ?? []).map((e): JsonObject =>
    e.from
      ? { name: e.name, valueFrom: e.from.kind === 'field' ? { fieldRef: { fieldPath: e.from.key } } : { [e.from.kind === 'secret' ? 'secretKeyRef' : 'configMapKeyRef']: { name: e.from.name, key: e.from.key } } }
      : { name: e.name, value: e.value ?? '' },
  );
  const probes: JsonObject = {};
  for (const p of spec.probes ?? []) probes[`${p.kind}Probe`] = probeBlock(p);
  if (primary && plan?.defaultProbes && (spec.ports ?? []).length > 0 && !probes.livenessProbe) {
    const port = spec.ports![0].targetPort ?? spec.ports![0].port;
    probes.livenessProbe = { tcpSocket: { port }, initialDelaySeconds: 10, periodSeconds: 10 };
    probes.readinessProbe = { tcpSocket: { port }, periodSeconds: 5 };
  }
  const caps = spec.addCapabilities ?? [];
  const security = compact({
    allowPrivilegeEscalation: spec.allowPrivilegeEscalation,
    privileged: spec.privileged,
    runAsUser: spec.runAsUser,
    readOnlyRootFilesystem: spec.readOnlyRootFilesystem,
    capabilities: caps.length > 0 ? { add: caps } : undefined,
  });
  return compact({
    name,
    image: spec.image ?? 'busybox',
    imagePullPolicy: spec.imagePullPolicy,
    command: spec.command,
    args: spec.args,
    ports: ports.length > 0 ? ports : undefined,
    env: env.length > 0 ? env : undefined,
    resources: resourcesBlock(primary ? plan?.resources ?? spec.resources : spec.resources),
    volumeMounts: mounts.length > 0 ? mounts : undefined,
    ...probes,
    securityContext: Object.keys(security).length > 0 ? security : undefined,
    workingDir: spec.workingDir,
    lifecycle: spec.postStart || spec.preStop ? compact({ postStart: spec.postStart ? { exec: { command: spec.postStart } } : undefined, preStop: spec.preStop ? { exec: { command: spec.preStop } } : undefined }) : undefined,
  });
}
