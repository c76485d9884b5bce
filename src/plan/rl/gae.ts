/**
 * Generalised advantage estimation (Schulman et al. 2016), for a rollout stored time-major ([T × N], row t
 * holds the N environments' step t). `dones[t·N + i]` = 1 when env i's episode terminated at step t (no
 * bootstrap past it); a time-limit end is not a termination: `lastValues` bootstraps the tail.
 */
export function gae(
  rewards: Float32Array,
  values: Float32Array,
  dones: Uint8Array,
  lastValues: Float32Array,
  n: number,
  gamma: number,
  lambda: number,
): { advantages: Float32Array; returns: Float32Array } {
  const T = rewards.length / n;
  const advantages = new Float32Array(rewards.length);
  const returns = new Float32Array(rewards.length);
  for (let i = 0; i < n; i++) {
    let next = 0;
    for (let t = T - 1; t >= 0; t--) {
      const k = t * n + i;
      const live = dones[k] ? 0 : 1;
      const nextValue = t === T - 1 ? lastValues[i] : values[k + n];
      const delta = rewards[k] + gamma * nextValue * live - values[k];
      next = delta + gamma * lambda * live * next;
      advantages[k] = next;
      returns[k] = next + values[k];
    }
  }
  return { advantages, returns };
}
