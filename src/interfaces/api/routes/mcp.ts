import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { identityOf } from '../auth/authenticate.js';
import { hasRole, type Role } from '../auth/roles.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { errorResponses } from '../schemas.js';

/** MCP tools that add to the approval queue or store a plan: the same least role as POST /api/proposals and /api/intents. */
const PROPOSAL_TOOLS = new Set(['propose_action', 'propose_intent']);
const PROPOSE_ROLE: Role = 'operator';

const JsonRpcMessage = z.record(z.string(), z.unknown());
const McpBody = z.union([JsonRpcMessage, z.array(JsonRpcMessage).min(1).max(32)]);

/** Tool names a JSON-RPC message (or batch) asks to call. */
function calledTools(body: z.infer<typeof McpBody>): string[] {
  const messages = Array.isArray(body) ? body : [body];
  const out: string[] = [];
  for (const m of messages) {
    if (m.method !== 'tools/call') continue;
    const params = m.params;
    const name = params !== null && typeof params === 'object' && 'name' in params ? (params as { name: unknown }).name : undefined;
    out.push(typeof name === 'string' ? name : '');
  }
  return out;
}

/**
 * MCP over HTTP (the SDK's Streamable HTTP transport, stateless: one server per request, JSON responses) at /mcp,
 * behind the API's bearer tokens. Any token may read; the proposal tools need the operator role, as their API
 * routes do: a viewer does not see them, and a call to one is refused with 403 before it reaches the tool.
 */
export const mcpRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  // Loaded with the API, not with every CLI command.
  const [{ StreamableHTTPServerTransport }, { buildMcpServer }] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
    import('../../mcp/server.js'),
  ]);

  app.post('/mcp', {
    config: { access: 'viewer' },
    schema: {
      summary: 'MCP (Streamable HTTP, stateless, JSON responses): the same tools as `autonomic mcp`; proposal tools need the operator role',
      tags: ['mcp'],
      body: McpBody,
      response: { 200: z.unknown().describe('JSON-RPC response(s)'), ...errorResponses },
    },
  }, async (req, reply) => {
    const who = identityOf(req);
    const propose = hasRole(who.role, PROPOSE_ROLE);
    const refused = propose ? undefined : calledTools(req.body).find((n) => PROPOSAL_TOOLS.has(n));
    if (refused !== undefined) throw new ApiError(403, 'forbidden', `the MCP tool ${refused} needs the ${PROPOSE_ROLE} role; ${who.name} is ${who.role}`);
    // Proposals are recorded as `mcp:<token name>`, the identity the journal shows for this channel.
    const server = buildMcpServer(ctx, who.name, { propose });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.hijack();
    // The API-wide onSend hook does not run for a hijacked reply: the same headers, set here.
    reply.raw.setHeader('x-content-type-options', 'nosniff');
    reply.raw.setHeader('cache-control', 'no-store');
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req.raw, reply.raw, req.body);
    } catch (err) {
      req.log.error({ err }, 'MCP request failed');
      if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'internal', message: 'internal error (details are in the server log)' }));
    }
  });

  // Stateless: no server-initiated stream to GET and no session to DELETE.
  const notAllowed = async (_req: unknown, reply: FastifyReply): Promise<void> => {
    await reply.status(405).header('allow', 'POST').send({ error: 'method-not-allowed', message: 'this MCP endpoint is stateless: POST JSON-RPC messages to /mcp' });
  };
  app.get('/mcp', { config: { access: 'viewer' }, schema: { hide: true } }, notAllowed);
  app.delete('/mcp', { config: { access: 'viewer' }, schema: { hide: true } }, notAllowed);
};
