import type { Action } from '../../core/action.js';
import type { Outcome } from '../../core/proposal.js';
import type { Provider } from '../provider.js';

/**
 * The provider of a loop that observes a real system it cannot act on yet (Prometheus without a Kubernetes or
 * local provider): shadow and dry-run modes never call it; if anything does, the action is refused, not lost.
 */
export class NoExecuteProvider implements Provider {
  readonly name = 'none';
  constructor(private readonly why: string) {}

  apply(action: Action): Promise<Outcome> {
    return Promise.resolve({ ok: false, message: `not executed (${action.kind}): ${this.why}` });
  }
}
