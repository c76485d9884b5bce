import { userInfo } from 'node:os';
import pg from 'pg';
import { UserError } from '../core/errors.js';

/**
 * Connection settings for a PostgreSQL knowledge store, from a `postgres://` URL.
 *
 * One extra query parameter, `schema`, picks the schema the store lives in (created if missing), so several
 * stores (tests, environments) can share one database: `postgres://127.0.0.1:5432/test?schema=autonomic`.
 */

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** Schema names go into a startup option unquoted, so only plain identifiers are accepted. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** PostgreSQL type oid of bigint. */
const INT8_OID = 20;

export interface PostgresTarget {
  config: pg.ClientConfig;
  /** The schema named in the URL, if any (else the server's search_path applies). */
  schema?: string;
  /** The URL without its password, for messages. */
  display: string;
}

/**
 * bigint columns (seq, ids, buckets) come back as JS numbers like SQLite's, not strings: every value the store
 * writes is a safe integer, and one that is not fails loudly rather than silently losing precision.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${text} does not fit a JavaScript number`);
  return n;
}

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

export function parsePostgresUrl(location: string): PostgresTarget {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new UserError('not a valid postgres:// URL', location.replace(/:[^:@/]*@/, ':***@'));
  }
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new UserError('schema must be a lower-case identifier (letters, digits, _)', `schema=${schema}`);
  }
  const display = (() => {
    const u = new URL(url.href);
    if (u.password) u.password = '***';
    if (schema) u.searchParams.set('schema', schema);
    return u.href;
  })();
  // Fields, not pg's connectionString: that one overrides the user fallback below with an empty name.
  const sslmode = url.searchParams.get('sslmode');
  const config: pg.ClientConfig = {
    host: url.searchParams.get('host') ?? (url.hostname.replace(/^\[(.*)\]$/, '$1') || undefined),
    port: url.port ? Number(url.port) : undefined,
    database: url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : undefined,
    // pg falls back to $USER, which services and CI often lack; the OS account is what psql would use.
    user: url.username ? decodeURIComponent(url.username) : process.env.PGUSER || userInfo().username,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    ssl: sslmode === null || sslmode === 'disable' || sslmode === 'prefer' ? undefined : { rejectUnauthorized: sslmode === 'verify-full' || sslmode === 'verify-ca' },
    options: schema ? `-c search_path=${schema}` : undefined,
    types,
    keepAlive: true,
    connectionTimeoutMillis: 10_000,
    application_name: 'autonomic',
  };
  return { config, schema, display };
}

/** Creates the URL's schema if it names one that does not exist yet (as SQLite creates the store's file). */
export async function ensureSchema(target: PostgresTarget): Promise<void> {
  if (!target.schema) return;
  const client = new pg.Client({ ...target.config, options: undefined });
  await client.connect();
  try {
    await client.query(`create schema if not exists ${target.schema}`);
  } catch (e) {
    // Two replicas creating it at once: "if not exists" can still lose the race with a unique violation.
    if ((e as { code?: unknown }).code !== '23505') throw e;
  } finally {
    await client.end();
  }
}
