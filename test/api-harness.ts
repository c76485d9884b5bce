/** A real API server on 127.0.0.1:0 over a temporary SQLite store, one token per role, logs captured. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { defaultPolicy } from '../src/govern/policy.js';
import { openStore, type Store } from '../src/knowledge/store.js';
import { ROLES, type Role } from '../src/interfaces/api/auth/roles.js';
import { generateToken, hashToken, TokenVerifier, type TokenEntry } from '../src/interfaces/api/auth/tokens.js';
import { buildApiServer, type ApiServer, type ApiServerOptions } from '../src/interfaces/api/server.js';

export interface Harness extends ApiServer {
  store: Store;
  dir: string;
  base: string;
  tokens: Record<Role, string>;
  entries: TokenEntry[];
  logs: string[];
  clock: { now: number };
  /** JSON request; `token` is a role (its token is sent) or a raw Authorization value. */
  call(method: string, path: string, o?: { as?: Role; auth?: string; body?: unknown; rawBody?: string }): Promise<{ status: number; body: unknown; text: string; headers: Headers }>;
  close(): Promise<void>;
}

export async function startHarness(extra: Partial<ApiServerOptions> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'autonomic-api-'));
  const store = await openStore(join(dir, 'knowledge.db'));
  const tokens = {} as Record<Role, string>;
  const entries: TokenEntry[] = [];
  for (const role of ROLES) {
    tokens[role] = generateToken();
    entries.push({ name: `${role}-user`, role, sha256: hashToken(tokens[role]) });
  }
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const clock = { now: 1_750_000_000 };
  const server = await buildApiServer({
    store, tokens: new TokenVerifier(entries), policy: defaultPolicy(), now: () => clock.now, eventPollMs: 20, log: { stream, level: 'debug' }, ...extra,
  });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = server.app.server.address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  return {
    ...server, store, dir, base, tokens, entries, logs, clock,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = {};
      if (o.as) headers.authorization = `Bearer ${tokens[o.as]}`;
      if (o.auth !== undefined) headers.authorization = o.auth;
      let body: string | undefined = o.rawBody;
      if (o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(base + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON (metrics): keep the text
      }
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    async close() {
      await server.app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The action every test proposes: high-risk by default, so it always needs a human. */
export const DRAIN = { kind: 'cordon-drain', node: 'node-1' } as const;
