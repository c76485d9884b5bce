import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { UserError } from '../../../core/errors.js';
import { defaultPolicy, loadPolicyFile } from '../../../govern/policy.js';
import { openStore } from '../../../knowledge/store.js';
import { PolicyHolder } from '../../api/policy-holder.js';

export function registerMcp(program: Command): void {
  program
    .command('mcp')
    .description(
      'Serve the MCP tools on stdin/stdout for an AI client: status, decisions, explain a decision, pending approvals, anomalies, forecast models, ' +
        'and proposals (actions go into the approval queue as pending; intents become a plan and artefacts). Nothing is executed or approved.',
    )
    .option('--db <path>', 'knowledge store (default .autonomic/autonomic.db or $AUTONOMIC_DB)')
    .option('--guardrails <file>', 'guardrail policy YAML proposals are checked against (default: the built-in policy)')
    .option('--as <name>', 'who proposals are recorded as in the journal (default: mcp:<login name>)')
    .addHelpText('after', '\nClient configuration (e.g. Claude Desktop):\n  {"mcpServers": {"autonomic": {"command": "npx", "args": ["autonomic", "mcp", "--db", "/path/autonomic.db"]}}}\n')
    .action(async (o: { db?: string; guardrails?: string; as?: string }) => {
      if (o.as !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}$/.test(o.as)) throw new UserError('a name is 1-64 letters, digits, . _ @ : -', '--as');
      const policy = o.guardrails ? loadPolicyFile(o.guardrails) : defaultPolicy();
      // Loaded here, not at the top: every other command would pay for the MCP SDK and the intent pipeline at startup.
      const [{ StdioServerTransport }, { buildMcpServer }] = await Promise.all([
        import('@modelcontextprotocol/sdk/server/stdio.js'),
        import('../../mcp/server.js'),
      ]);
      const store = await openStore(o.db);
      try {
        const now = () => Date.now() / 1000;
        const server = buildMcpServer({ store, policy: new PolicyHolder(policy), now, startedAt: now() }, o.as ?? `mcp:${userInfo().username}`);
        const transport = new StdioServerTransport();
        // stdout carries the protocol: nothing else may be written to it while the server runs.
        const closed = new Promise<void>((resolve) => {
          transport.onclose = resolve;
          process.stdin.once('end', resolve);
        });
        await server.connect(transport);
        await closed;
        await server.close();
      } finally {
        await store.close();
      }
    });
}
