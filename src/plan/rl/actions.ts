/**
 * The discrete action set: replica changes relative to the current count. Relative steps as well as ±1, because
 * the bench's services run from 2 to a few hundred replicas and ±2 alone could not follow a morning ramp.
 * The relative steps pair up in log space (÷1.5 and ×1.5, ×0.8 and ×1.25), so a random policy does not drift.
 * Node pools are left to the cluster autoscaler (as with the HPA baseline): the agent's replicas drive it.
 */
export const ACTIONS = [
  { label: '-33%', rel: -1 / 3 },
  { label: '-20%', rel: -0.2 },
  { label: '-1', abs: -1 },
  { label: '0', abs: 0 },
  { label: '+1', abs: 1 },
  { label: '+25%', rel: 0.25 },
  { label: '+50%', rel: 0.5 },
] as const;
export const NUM_ACTIONS = ACTIONS.length;
export const HOLD_ACTION = 3;

/** Replicas after action `a` from `current`, within [min, max]; relative steps move at least one replica. */
export function targetReplicas(a: number, current: number, min: number, max: number): number {
  const act = ACTIONS[a];
  if (!act) throw new Error(`unknown RL action ${a}`);
  let delta: number;
  if ('rel' in act) {
    const raw = Math.round(current * act.rel);
    delta = raw === 0 ? Math.sign(act.rel) : raw;
  } else delta = act.abs;
  return Math.min(max, Math.max(min, current + delta));
}
