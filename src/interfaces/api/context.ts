import type { Snapshot } from '../../core/snapshot.js';
import type { Store } from '../../knowledge/store.js';
import type { TokenVerifier } from './auth/tokens.js';
import type { ApiMetrics } from './metrics.js';
import type { PolicyHolder } from './policy-holder.js';
import type { KeyedSerial } from './serial.js';

/** What every route (and the MCP tools) work on: the store, the policy, and a clock tests can move. */
export interface ApiContext {
  store: Store;
  policy: PolicyHolder;
  tokens: TokenVerifier;
  metrics: ApiMetrics;
  decisions: KeyedSerial;
  /** Wall-clock seconds: approvals expire in real time. */
  now: () => number;
  /** The live cluster, when this process can see it; proposals are then checked against it right away. */
  snapshot?: () => Promise<Snapshot | undefined>;
  /** How often the event stream polls the journal. */
  eventPollMs: number;
  startedAt: number;
}

/** The part of the context that reads the store and makes proposals: all the MCP server has. */
export type CoreContext = Pick<ApiContext, 'store' | 'policy' | 'now' | 'snapshot' | 'startedAt'>;
