/**
 * Shadow agreement: a candidate policy decides beside the active one on the very snapshot the active loop
 * decided on, and per service and tick we record whether the two chose the same action. "Same action" is the
 * same direction (hold, scale out, scale in), since the two size steps differently; the exact target is recorded
 * too. The candidate's proposals go nowhere: it only sees the world the active policy produced.
 */
import type { TickResult } from './controller.js';
import type { PlanNote, ScalingPolicy } from '../plan/scaling/policy.js';
import type { Proposal } from '../core/proposal.js';

export interface ServiceAgreement {
  service: string;
  replicas: number;
  /** Target replicas each chose (= replicas when it chose to hold). */
  active: number;
  shadow: number;
  /** Same direction (hold / out / in). */
  agree: boolean;
  sameTarget: boolean;
  /** The candidate handed this service to its fallback (e.g. RL out of its training distribution). */
  fallback: boolean;
}

export interface AgreementTick {
  at: number;
  services: ServiceAgreement[];
  /** The candidate's own journal notes this tick (e.g. rl-fallback). */
  notes: PlanNote[];
}

export interface AgreementSummary {
  /** Service-ticks compared, and the share where both chose the same direction. */
  serviceTicks: number;
  agreements: number;
  agreementPct: number;
  /** Service-ticks where at least one wanted a change, and agreement among those (holding together is easy). */
  decisive: number;
  decisiveAgreementPct: number;
  sameTargetPct: number;
  /** Service-ticks the candidate handed to its fallback. */
  fallbacks: number;
}

/** Scale target per service from a list of proposals: the first per service, as the controller keeps it. */
export function scaleTargets(ps: readonly Proposal[]): Map<string, { to: number; source: string }> {
  const m = new Map<string, { to: number; source: string }>();
  for (const p of ps) {
    const a = p.action;
    if (a.kind === 'scale' && !m.has(a.service)) m.set(a.service, { to: a.to, source: p.source });
  }
  return m;
}

const pct = (n: number, d: number): number => (d > 0 ? Math.round((1000 * n) / d) / 10 : NaN);

export class ShadowAgreement {
  private serviceTicks = 0;
  private agreements = 0;
  private decisive = 0;
  private decisiveAgreements = 0;
  private sameTargets = 0;
  private fallbacks = 0;

  /** `isFallback`: whether a candidate proposal came from its fallback rather than its own decision. */
  constructor(readonly candidate: ScalingPolicy, private readonly isFallback: (p: { source: string }) => boolean = () => false) {}

  /** Compares the candidate's choice with what the active loop proposed in tick `r`. */
  observe(r: TickResult): AgreementTick {
    // Approved actions carried out this tick were decided on earlier: not this tick's choice.
    const active = scaleTargets(r.decisions.map((d) => d.proposal).filter((p) => !p.source.startsWith('approval:')));
    const notes: PlanNote[] = [];
    const shadow = scaleTargets(this.candidate.decide({ snapshot: r.snapshot, now: r.at, findings: r.findings, notes }));
    const services: ServiceAgreement[] = [];
    for (const svc of r.snapshot.services) {
      const act = active.get(svc.name)?.to ?? svc.replicas;
      const sh = shadow.get(svc.name);
      const to = sh?.to ?? svc.replicas;
      const agree = Math.sign(act - svc.replicas) === Math.sign(to - svc.replicas);
      const fallback = sh !== undefined && this.isFallback(sh);
      this.serviceTicks++;
      if (agree) this.agreements++;
      if (act === to) this.sameTargets++;
      if (fallback) this.fallbacks++;
      if (act !== svc.replicas || to !== svc.replicas) {
        this.decisive++;
        if (agree) this.decisiveAgreements++;
      }
      services.push({ service: svc.name, replicas: svc.replicas, active: act, shadow: to, agree, sameTarget: act === to, fallback });
    }
    return { at: r.at, services, notes };
  }

  summary(): AgreementSummary {
    return {
      serviceTicks: this.serviceTicks,
      agreements: this.agreements,
      agreementPct: pct(this.agreements, this.serviceTicks),
      decisive: this.decisive,
      decisiveAgreementPct: pct(this.decisiveAgreements, this.decisive),
      sameTargetPct: pct(this.sameTargets, this.serviceTicks),
      fallbacks: this.fallbacks,
    };
  }
}
