import type { Action } from '../core/action.js';
import type { Outcome } from '../core/proposal.js';

/** Something that can carry out actions: the twin, local processes, Kubernetes, a Terraform folder. */
export interface Provider {
  readonly name: string;
  apply(action: Action): Promise<Outcome>;
}
