import type { Finding } from '../../analyze/assessment.js';
import { faultClassOf, isKubernetesName, serviceOfPod, splitObject } from '../../analyze/faults/event-classifier.js';
import type { Snapshot } from '../../core/snapshot.js';
import type { Trigger } from './playbook.js';

/** One sighting of a trigger on one resource in one tick. */
export interface Occurrence {
  /** `service/<name>` or `node/<name>`: the resource a remediation would act on. */
  target: string;
  service?: string;
  node?: string;
  pod?: string;
  severity: Finding['severity'];
  /** The finding's message (written by an analyzer), or a fixed sentence for an event: never cluster text. */
  summary: string;
  evidence: Record<string, number | string | boolean>;
}

const SEVERITY = { info: 0, warning: 1, critical: 2 } as const;

/**
 * The sightings of a trigger this tick, at most one per resource. Findings are the analyzers' (already free of
 * cluster text); events are matched on their reason and object name only — an event's message is never read, and
 * an object that is not a Kubernetes name is ignored — so text in events and logs cannot steer a remediation.
 */
export function occurrencesOf(trigger: Trigger, findings: readonly Finding[], snapshot: Snapshot): Occurrence[] {
  const out = new Map<string, Occurrence>();
  const add = (o: Occurrence): void => {
    const had = out.get(o.target);
    if (!had || SEVERITY[o.severity] > SEVERITY[had.severity]) out.set(o.target, o);
  };
  if (trigger.fault || trigger.anomaly) {
    for (const f of findings) {
      if (trigger.fault && faultClassOf(f) !== trigger.fault) continue;
      if (trigger.anomaly) {
        if (f.kind !== 'anomaly' || SEVERITY[f.severity] < SEVERITY[trigger.anomaly.minSeverity]) continue;
        if (trigger.anomaly.metric !== undefined && f.evidence.metric !== trigger.anomaly.metric) continue;
      }
      const o = fromFinding(f, snapshot);
      if (o) add(o);
    }
  }
  if (trigger.event) {
    const services = snapshot.services.map((s) => s.name);
    const counts = new Map<string, number>();
    for (const e of snapshot.events) {
      if (e.reason !== trigger.event) continue;
      const [kind, name] = splitObject(e.object);
      if (!isKubernetesName(name)) continue;
      let o: Occurrence | undefined;
      if (kind === 'node') o = { target: `node/${name}`, node: name, severity: e.type === 'Warning' ? 'warning' : 'info', summary: '', evidence: {} };
      else if (kind === 'deployment' && services.includes(name)) o = { target: `service/${name}`, service: name, severity: e.type === 'Warning' ? 'warning' : 'info', summary: '', evidence: {} };
      else if (kind === 'pod') {
        const service = serviceOfPod(name, services);
        if (service !== undefined) o = { target: `service/${service}`, service, pod: name, severity: e.type === 'Warning' ? 'warning' : 'info', summary: '', evidence: {} };
      }
      if (!o) continue;
      const n = (counts.get(o.target) ?? 0) + 1;
      counts.set(o.target, n);
      o.summary = `${n} ${trigger.event} event${n === 1 ? '' : 's'} on ${o.target}`;
      o.evidence = { event: trigger.event, events: n, ...(o.pod ? { pod: o.pod } : {}), ...(o.node ? { node: o.node } : {}) };
      out.set(o.target, o);
    }
  }
  return [...out.values()];
}

function fromFinding(f: Finding, snapshot: Snapshot): Occurrence | undefined {
  const [kind, name] = splitObject(f.target);
  if (!isKubernetesName(name)) return undefined;
  const pod = typeof f.evidence.pod === 'string' && isKubernetesName(f.evidence.pod) ? f.evidence.pod : undefined;
  const base = { severity: f.severity, summary: f.message, evidence: f.evidence };
  if (kind === 'service') {
    if (!snapshot.services.some((s) => s.name === name)) return undefined;
    return { ...base, target: f.target, service: name, ...(pod ? { pod } : {}) };
  }
  if (kind === 'node') return { ...base, target: f.target, node: name };
  return undefined;
}
