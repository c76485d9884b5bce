import type { Command } from 'commander';
import { UserError } from '../../../core/errors.js';
import { defaultPolicy, loadPolicyFile } from '../../../govern/policy.js';
import { openStore } from '../../../knowledge/store.js';
import { ROLES, type Role } from '../../api/auth/roles.js';
import { createToken, readTokensFile, resolveTokensPath, TokenVerifier } from '../../api/auth/tokens.js';
import { integer, oneOf } from '../args.js';
import { untilStopSignal } from '../stop-signal.js';

interface ServeOptions {
  port: number;
  host: string;
  db?: string;
  tokens?: string;
  guardrails?: string;
  bodyLimit: number;
  rateLimit: number;
}

export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description(
      'Serve the HTTP API (OpenAPI at /openapi.json): status, runs, decisions, journal verification, approvals, the guardrail policy, ' +
        'live events (SSE) and /metrics. Every request needs a bearer token from the tokens file; create one with `serve token create`.',
    )
    .option('--port <n>', 'port to listen on (0 = any free port)', integer('--port', 0, 65535), 8470)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--db <path>', 'knowledge store (default .autonomic/autonomic.db or $AUTONOMIC_DB)')
    .option('--tokens <file>', 'tokens file, YAML or JSON (default .autonomic/tokens.yaml or $AUTONOMIC_TOKENS)')
    .option('--guardrails <file>', 'guardrail policy YAML served and rewritten by PUT /api/policy (default: the built-in policy, changed in memory only)')
    .option('--body-limit <bytes>', 'largest request body accepted', integer('--body-limit', 1024, 16 * 1024 * 1024), 64 * 1024)
    .option('--rate-limit <n>', 'requests per client address per minute', integer('--rate-limit', 1, 1_000_000), 600)
    .addHelpText('after', '\nExample:\n  autonomic serve token create --name alice --role approver\n  autonomic serve --port 8470\n  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8470/api/status\n')
    .action(async (o: ServeOptions) => {
      // Everything is validated before the store is opened or a port bound.
      const tokensPath = resolveTokensPath(o.tokens);
      const verifier = new TokenVerifier(readTokensFile(tokensPath));
      if (verifier.size === 0) throw new UserError('no tokens: nobody could use the API; create one with `autonomic serve token create --name NAME --role ROLE`', tokensPath);
      const policy = o.guardrails ? loadPolicyFile(o.guardrails) : defaultPolicy();
      // Loaded here, not at the top: every other command would pay for fastify at startup.
      const { buildApiServer } = await import('../../api/server.js');
      const store = await openStore(o.db);
      try {
        const { app } = await buildApiServer({ store, tokens: verifier, policy, policyFile: o.guardrails, bodyLimit: o.bodyLimit, rateLimitPerMinute: o.rateLimit });
        try {
          await app.listen({ host: o.host, port: o.port });
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new UserError(`cannot listen on ${o.host}:${o.port} (${code})`, '--host/--port');
          throw e;
        }
        process.stderr.write(`autonomic API on http://${o.host}:${(app.server.address() as { port: number }).port} (OpenAPI at /openapi.json, ${verifier.size} tokens); Ctrl-C stops\n`);
        await untilStopSignal();
        await app.close();
      } finally {
        await store.close();
      }
    });

  const token = serve.command('token').description('API tokens (only their sha256 is stored).');
  token
    .command('create')
    .description('Add a token to the tokens file and print it once: it is not stored and cannot be shown again.')
    .requiredOption('--name <name>', 'who the token is for (recorded in the journal as the actor)')
    .requiredOption('--role <role>', `one of ${ROLES.join(' < ')}`, oneOf('--role', ROLES))
    .option('--tokens <file>', 'tokens file (default .autonomic/tokens.yaml or $AUTONOMIC_TOKENS)')
    .action((_o: unknown, cmd: Command) => {
      // optsWithGlobals: `serve` has its own --tokens, which commander may bind to the parent instead.
      const o = cmd.optsWithGlobals<{ name: string; role: Role; tokens?: string }>();
      const path = resolveTokensPath(o.tokens);
      const plaintext = createToken(path, o.name, o.role);
      process.stderr.write(`token for ${o.name} (${o.role}) added to ${path}; it is shown only this once:\n`);
      process.stdout.write(`${plaintext}\n`);
    });
}
