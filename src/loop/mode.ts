/**
 * auto: execute allowed actions. shadow: decide and journal, never execute (also used to run a second
 * policy beside the active one). dry-run: decide only; nothing executed, nothing journaled.
 */
export type LoopMode = 'auto' | 'shadow' | 'dry-run';
export const LOOP_MODES: readonly LoopMode[] = ['auto', 'shadow', 'dry-run'];
