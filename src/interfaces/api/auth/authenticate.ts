import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { hasRole, type Identity, type Role } from './roles.js';
import type { TokenVerifier } from './tokens.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Least role that may call the route; 'public' for the few that need no token. Every route must say. */
    access?: Role | 'public';
  }
  interface FastifyRequest {
    identity: Identity | null;
  }
}

/** Bearer token only: tokens in URLs end up in logs and browser history. */
function presentedToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/.exec(h.trim());
  return m ? m[1] : undefined;
}

/**
 * Authentication and role checks for every route, in one hook that runs before the body is read. A route that
 * declares no `access` fails at registration, so a new mutating endpoint cannot be left open by accident.
 */
export function installAuth(app: FastifyInstance, tokens: TokenVerifier): void {
  app.decorateRequest('identity', null);
  app.addHook('onRoute', (route) => {
    if (route.config?.access === undefined) throw new Error(`route ${route.method} ${route.url} declares no access role`);
  });
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config.access;
    if (access === 'public' || access === undefined) return; // undefined: fastify's 404 handler
    const token = presentedToken(req);
    const who = token === undefined ? undefined : tokens.verify(token);
    if (!who) {
      req.log.warn({ reason: token === undefined ? 'missing or malformed Authorization header' : 'unknown token' }, 'authentication failed');
      throw new ApiError(401, 'unauthenticated', 'a valid bearer token is required (Authorization: Bearer <token>)');
    }
    req.identity = who;
    if (!hasRole(who.role, access)) {
      req.log.warn({ who: who.name, role: who.role, need: access }, 'forbidden');
      throw new ApiError(403, 'forbidden', `this needs the ${access} role; ${who.name} is ${who.role}`);
    }
  });
}

/** The caller of an authenticated route (the hook guarantees it is set). */
export function identityOf(req: FastifyRequest): Identity {
  if (!req.identity) throw new ApiError(401, 'unauthenticated', 'a valid bearer token is required');
  return req.identity;
}
