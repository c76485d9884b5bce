/**
 * What the CLI needs to offer shadow mode (`simulate --shadow`) without loading it: the policies a shadow can run
 * and the default counterfactual window. shadow-run.ts (which pulls in tfjs for the RL policy) is imported only
 * when a shadow is asked for, so every other command starts faster.
 */
export const SHADOW_POLICIES = ['rl'] as const;
export type ShadowPolicyName = (typeof SHADOW_POLICIES)[number];
export const DEFAULT_SHADOW_WINDOW_SECONDS = 3600;
