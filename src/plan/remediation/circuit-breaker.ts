/**
 * Stops automatic remediation of a resource after repeated failures: `maxFailures` failed verifications within
 * `windowSeconds` open the breaker for `openSeconds`. A remediation that keeps failing is a problem the playbooks
 * do not understand; trying again only adds churn, so a human takes over (the coordinator escalates on opening).
 */
export class RemediationBreaker {
  private readonly failures = new Map<string, number[]>();
  private readonly openUntil = new Map<string, number>();

  constructor(private readonly o: { maxFailures: number; windowSeconds: number; openSeconds: number }) {}

  /** Records a failed verification; true when this failure opened the breaker. */
  recordFailure(target: string, now: number): boolean {
    const times = (this.failures.get(target) ?? []).filter((t) => t > now - this.o.windowSeconds);
    times.push(now);
    this.failures.set(target, times);
    if (times.length < this.o.maxFailures || this.isOpen(target, now)) return false;
    this.openUntil.set(target, now + this.o.openSeconds);
    this.failures.delete(target);
    return true;
  }

  isOpen(target: string, now: number): boolean {
    const until = this.openUntil.get(target);
    if (until === undefined) return false;
    if (now < until) return true;
    this.openUntil.delete(target);
    return false;
  }

  /** Failed verifications of the resource still inside the window. */
  recentFailures(target: string, now: number): number {
    return (this.failures.get(target) ?? []).filter((t) => t > now - this.o.windowSeconds).length;
  }
}
