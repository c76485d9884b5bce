import { z } from 'zod';
import { FAULT_CLASSES, type FaultClass } from '../../analyze/faults/event-classifier.js';
import { parseDuration } from '../../execute/twin/faults.js';

/**
 * A remediation playbook as written in YAML (policies/playbooks/*.yaml): when it applies (trigger, conditions),
 * what it does (actions, in order), how it knows the fix worked (verify, with a deadline), and what happens when it
 * did not (undo what can be undone, escalate). Every object is strict, so a misspelt key is an error.
 *
 * Action steps map onto the action kinds of core/action.ts and nothing else: restart-pod, rollback, scale-out
 * (a `scale` action), cordon-drain. "Raise resources" and "reschedule elsewhere" have no action kind, so a
 * playbook cannot ask for them.
 */

/** `90`, `90s`, `2m`, `1h30m` → seconds. */
const duration = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const s = typeof v === 'number' ? v : parseDuration(v);
  if (!Number.isFinite(s) || s < 0) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as 90s, 2m or 1h, got ${JSON.stringify(v)}`, input: v });
    return z.NEVER;
  }
  return s;
});

/** `3` (replicas) or `"50%"` (of the replicas when the step starts). */
const amount = z.union([z.number(), z.string()]).transform((v, ctx): Amount => {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 1 && v <= 1000) return { replicas: v };
  } else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(v);
    if (m && Number(m[1]) > 0 && Number(m[1]) <= 1000) return { percent: Number(m[1]) };
  }
  ctx.addIssue({ code: 'custom', message: `expected a whole number of replicas (1–1000) or a percentage such as "50%", got ${JSON.stringify(v)}`, input: v });
  return z.NEVER;
});
export type Amount = { replicas: number } | { percent: number };

/** Glob over names: `*` matches any run of characters (`web`, `api-*`, `*`). */
const glob = z.string().min(1).regex(/^[a-z0-9.*-]+$/, 'a name or glob of lower-case letters, digits, ".", "-" and "*"');

export const ActionStepSchema = z.discriminatedUnion('do', [
  /** Restart the pod the finding names (or the provider's worst pod of the service). */
  z.strictObject({ do: z.literal('restart-pod') }),
  /** Roll the deployment back to its previous (last good) revision. */
  z.strictObject({ do: z.literal('rollback') }),
  /**
   * Add `by` replicas (or percent) to the service; while it is still short, add `by` again, up to `upTo` above the
   * replicas at the start. Short means: verification's metric criteria fail (`until: verified`), or the service
   * misses its objectives (`until: objectives` — e.g. verify only that errors are gone, but keep adding replicas
   * while latency can still come down). The result is held as a floor against scale-downs for `holdFor` after the
   * fix is verified (and as long as the trigger keeps coming back), so the autoscalers do not undo it at once.
   */
  z.strictObject({
    do: z.literal('scale-out'),
    by: amount,
    upTo: amount.optional(),
    until: z.enum(['verified', 'objectives']).default('verified'),
    holdFor: duration.default(1800),
  }),
  /** Cordon the node the finding names and evict its pods, so they move while it still runs. */
  z.strictObject({ do: z.literal('cordon-drain') }),
]);
export type ActionStep = z.output<typeof ActionStepSchema>;
export type StepKind = ActionStep['do'];
/** Steps that act on a service; the others act on a node. */
export const SERVICE_STEPS: ReadonlySet<StepKind> = new Set(['restart-pod', 'rollback', 'scale-out']);

export const TriggerSchema = z
  .strictObject({
    /** A fault class the event classifier produces. */
    fault: z.enum(FAULT_CLASSES).optional(),
    /** An anomaly finding, optionally only for one metric (its evidence `metric`) or from a severity up. */
    anomaly: z.strictObject({ metric: z.string().min(1).optional(), minSeverity: z.enum(['warning', 'critical']).default('warning') }).optional(),
    /** A Kubernetes event reason (BackOff, OOMKilled, NodeNotReady, ...) on a pod, deployment or node. */
    event: z.string().regex(/^[A-Z][A-Za-z]+$/, 'a Kubernetes event reason such as BackOff or OOMKilled').optional(),
  })
  .superRefine((t, ctx) => {
    const n = (t.fault ? 1 : 0) + (t.anomaly ? 1 : 0) + (t.event ? 1 : 0);
    if (n !== 1) ctx.addIssue({ code: 'custom', message: `needs exactly one of fault, anomaly or event (got ${n})`, input: t });
  });
export type Trigger = z.output<typeof TriggerSchema>;

export const ConditionsSchema = z.strictObject({
  /** Only services whose name matches one of these globs (service targets; default all). */
  services: z.array(glob).min(1).optional(),
  /** Only nodes whose name matches one of these globs (node targets; default all). */
  nodes: z.array(glob).min(1).optional(),
  /** Fields the finding's evidence must have, with exactly these values (e.g. `afterRollout: true`). */
  evidence: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** The trigger must have been seen on at least this many ticks within `window` (1 = act on the first sighting). */
  minOccurrences: z.number().int().min(1).max(1000).default(1),
  window: duration.default(600),
  /** Not while another action on the same resource (by any planner) is this recent: let it settle first. */
  noActionWithin: duration.optional(),
  /** Only after at least `atLeast` earlier remediations of this resource within `within` (of the named playbooks, or any). */
  previousAttempts: z.strictObject({ atLeast: z.number().int().min(1).max(100), within: duration, playbooks: z.array(z.string().min(1)).min(1).optional() }).optional(),
});
export type Conditions = z.output<typeof ConditionsSchema>;

export const VerifySchema = z
  .strictObject({
    /** Deadline, counted from the last action: the criteria must be met by then or the remediation failed. */
    within: duration,
    /** The metric criteria must hold continuously for this long (0 = on one tick). */
    holdFor: duration.default(0),
    /** Error rate (share of requests failed or dropped) below this; for a node, on every service. */
    errorRateBelow: z.number().gt(0).max(1).optional(),
    /** p99 latency below this many ms; for a node, on every service. */
    p99BelowMs: z.number().positive().optional(),
    /** No new occurrence of the trigger on the resource for this long. */
    quietFor: duration.optional(),
    /** Every replica Ready and nothing Pending (the service's own; for a node, cluster-wide). */
    replicasReady: z.boolean().optional(),
    /** p99 and error rate within the service's objectives (its SLO as the loop is configured with it). */
    withinObjectives: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.errorRateBelow === undefined && v.p99BelowMs === undefined && v.quietFor === undefined && v.replicasReady === undefined && v.withinObjectives === undefined) {
      ctx.addIssue({ code: 'custom', message: 'needs at least one criterion: errorRateBelow, p99BelowMs, withinObjectives, quietFor or replicasReady', input: v });
    }
    if (v.quietFor !== undefined && v.quietFor > v.within) {
      ctx.addIssue({ code: 'custom', path: ['quietFor'], message: `quietFor (${v.quietFor} s) is longer than the deadline within (${v.within} s): it could never pass`, input: v.quietFor });
    }
    if (v.holdFor > v.within) {
      ctx.addIssue({ code: 'custom', path: ['holdFor'], message: `holdFor (${v.holdFor} s) is longer than the deadline within (${v.within} s): it could never pass`, input: v.holdFor });
    }
  });
export type Verify = z.output<typeof VerifySchema>;

export const PlaybookSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a lower-case name of letters, digits and "-" (at most 63)'),
    description: z.string().min(1).optional(),
    /** Lower runs first when several playbooks match the same trigger on the same resource. */
    priority: z.number().int().min(0).max(1000).default(100),
    trigger: TriggerSchema,
    conditions: ConditionsSchema.prefault({}),
    /** Run in order, one per tick; none = watch only (verify, and escalate if it does not recover by itself). */
    actions: z.array(ActionStepSchema).max(10).default([]),
    verify: VerifySchema,
    onFailure: z
      .strictObject({
        /** Undo what can be undone (scale back a scale-out); restarts, rollbacks and drains cannot be undone. */
        undo: z.boolean().default(true),
        /** Journal an escalation to a human on every failed verification, not only when the circuit breaker opens. */
        escalate: z.boolean().default(false),
      })
      .prefault({}),
    /** After this playbook acted on a resource, no new remediation of that resource for this long. */
    cooldown: duration.default(600),
  })
  .superRefine((p, ctx) => {
    const about = targetKindOf(p.trigger);
    if (about === undefined) return;
    p.actions.forEach((a, i) => {
      const needs = SERVICE_STEPS.has(a.do) ? 'service' : 'node';
      if (needs !== about) {
        ctx.addIssue({ code: 'custom', path: ['actions', i, 'do'], message: `${a.do} acts on a ${needs}, but trigger fault ${String(p.trigger.fault)} is about a ${about}`, input: a.do });
      }
    });
  });
export type Playbook = z.output<typeof PlaybookSchema>;

/** A playbook file: a list of playbooks. */
export const PlaybookFileSchema = z.strictObject({ playbooks: z.array(PlaybookSchema).min(1) });

const NODE_FAULTS: ReadonlySet<FaultClass> = new Set(['node-not-ready', 'spot-interruption']);

/** What a fault trigger is about; undefined for anomalies and events, which can be about either. */
export function targetKindOf(t: Trigger): 'service' | 'node' | undefined {
  if (!t.fault) return undefined;
  return NODE_FAULTS.has(t.fault) ? 'node' : 'service';
}

/** The trigger in words, for rationales and the journal: `fault crash-loop`, `event OOMKilled`, `anomaly p99`. */
export function describeTrigger(t: Trigger): string {
  if (t.fault) return `fault ${t.fault}`;
  if (t.event) return `event ${t.event}`;
  return `anomaly${t.anomaly?.metric ? ` ${t.anomaly.metric}` : ''}`;
}

/** `*` glob match over a whole name. */
export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`);
  return re.test(name);
}
