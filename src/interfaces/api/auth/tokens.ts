import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { UserError } from '../../../core/errors.js';
import { RoleSchema, type Identity, type Role } from './roles.js';

/**
 * The tokens file: names, roles and the sha256 of each token. The plaintext is printed once when the token is
 * created and stored nowhere, so a leaked tokens file (or backup) grants nothing.
 */

export const DEFAULT_TOKENS_PATH = '.autonomic/tokens.yaml';
export const TOKENS_PATH_ENV = 'AUTONOMIC_TOKENS';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const TokenEntrySchema = z.strictObject({
  name: z.string().regex(NAME, 'a name is 1-64 letters, digits, . _ @ -, starting with a letter or digit'),
  role: RoleSchema,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
});
export const TokensFileSchema = z.strictObject({ tokens: z.array(TokenEntrySchema).default([]) });
export type TokenEntry = z.infer<typeof TokenEntrySchema>;

export function resolveTokensPath(path?: string): string {
  return path ?? (process.env[TOKENS_PATH_ENV] || DEFAULT_TOKENS_PATH);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The prefix makes a leaked token recognisable to secret scanners. */
export function generateToken(): string {
  return `atk_${randomBytes(32).toString('base64url')}`;
}

/** YAML is a superset of JSON, so one parser reads both. */
export function readTokensFile(path: string): TokenEntry[] {
  if (!existsSync(path)) return [];
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`, path);
  }
  const parsed = TokensFileSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${issue.path.join('.') || '(root)'}: ${issue.message}`, path);
  }
  const names = new Set<string>();
  for (const t of parsed.data.tokens) {
    if (names.has(t.name)) throw new UserError(`token name '${t.name}' appears twice`, path);
    names.add(t.name);
  }
  return parsed.data.tokens;
}

/** Add a token for `name` and return its plaintext (the only time it exists). Written atomically, owner-only. */
export function createToken(path: string, name: string, role: Role): string {
  if (!NAME.test(name)) throw new UserError('a name is 1-64 letters, digits, . _ @ -, starting with a letter or digit', '--name');
  const tokens = readTokensFile(path);
  if (tokens.some((t) => t.name === name)) throw new UserError(`a token named '${name}' already exists`, '--name');
  const token = generateToken();
  tokens.push({ name, role, sha256: hashToken(token) });
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, toYaml({ tokens }), { mode: 0o600 });
  renameSync(tmp, path);
  return token;
}

/** Looks a presented token up by its hash; the plaintext is not kept beyond the call. */
export class TokenVerifier {
  private readonly byHash: Map<string, Identity>;

  constructor(entries: readonly TokenEntry[]) {
    this.byHash = new Map(entries.map((t) => [t.sha256, { name: t.name, role: t.role }]));
  }

  get size(): number {
    return this.byHash.size;
  }

  verify(token: string): Identity | undefined {
    return this.byHash.get(hashToken(token));
  }
}
