import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CoreContext } from '../api/context.js';
import { registerProposeTools } from './propose-tools.js';
import { registerReadTools } from './read-tools.js';

/**
 * The MCP server: read tools over the knowledge store and proposal tools that go through the guardrails into the
 * approval queue. `actor` is who proposals are recorded as (the journal's actor, prefixed with the channel).
 * `propose: false` leaves the proposal tools out (a viewer's token over HTTP).
 */
export function buildMcpServer(ctx: CoreContext, actor: string, o: { propose?: boolean } = {}): McpServer {
  const server = new McpServer(
    { name: 'autonomic', version: '0.1.0' },
    { instructions: 'Autonomic runs infrastructure through a guarded control loop. Read tools explain what it saw and decided; propose_action only queues an action for a human to approve.' },
  );
  registerReadTools(server, ctx);
  if (o.propose !== false) registerProposeTools(server, ctx, actor);
  return server;
}
