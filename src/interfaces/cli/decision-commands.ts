import type { Command } from 'commander';
import { openStore, type Store } from '../../knowledge/store.js';

export type DecisionVerb = 'approve' | 'reject';

export interface DecisionFlags {
  by: string;
  note?: string;
  db?: string;
  json?: boolean;
}

export interface DecisionCommandsOptions {
  /** What the verb decides on, after "Approve"/"Reject" in the help, e.g. 'a pending action. …'. */
  describe: string;
  /** Help for --by. */
  byHelp: string;
  /** Decide and print; the store is open for the call and closed after it, whatever happens. */
  decide(store: Store, id: string, verb: DecisionVerb, flags: DecisionFlags): Promise<void>;
}

/**
 * `approve <id>` and `reject <id>` under `parent`, with --by, --note, --db and --json: every queue a human decides on
 * (approvals, intent bundles) takes the same flags, so a script written for one works for the other.
 */
export function registerDecisionCommands(parent: Command, o: DecisionCommandsOptions): void {
  for (const verb of ['approve', 'reject'] as const) {
    parent
      .command(`${verb} <id>`)
      .description(`${verb === 'approve' ? 'Approve' : 'Reject'} ${o.describe}`)
      .requiredOption('--by <name>', o.byHelp)
      .option('--note <text>', 'why')
      .option('--db <path>', 'knowledge store')
      .option('--json', 'JSON output')
      .action(async (id: string, flags: DecisionFlags) => {
        const store = await openStore(flags.db);
        try {
          await o.decide(store, id, verb, flags);
        } finally {
          await store.close();
        }
      });
  }
}
