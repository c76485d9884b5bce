import { after, test, type TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { parsePostgresUrl } from '../../src/knowledge/postgres.js';
import type { SqlFlavor } from '../../src/knowledge/migrations.js';

/**
 * Store backends for tests that must hold on SQLite and PostgreSQL alike. PostgreSQL is the server on this
 * machine (or $AUTONOMIC_TEST_PG); each store gets a fresh schema, dropped when the file's tests end. When the
 * server is unreachable, the PostgreSQL variants skip with the reason instead of failing.
 */

export const PG_TEST_URL = process.env.AUTONOMIC_TEST_PG || 'postgres://127.0.0.1:5432/test';

export interface Backend {
  flavor: SqlFlavor;
  /** Why this backend's tests skip, if they do. */
  skip?: string;
  /** A new, empty store location: a SQLite file, or a postgres:// URL naming a fresh schema. */
  fresh(): Promise<string>;
  /** Edit a closed store the way someone with direct database access would: append-only triggers dropped first. */
  tamper(location: string, ...statements: string[]): Promise<void>;
}

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ ...parsePostgresUrl(PG_TEST_URL).config, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (e) {
    return `PostgreSQL unreachable at ${PG_TEST_URL} (${e instanceof Error ? e.message : String(e)})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why PostgreSQL tests skip, or undefined when the server answers. */
export const pgSkip: string | undefined = await probe();

let admin: pg.Client | undefined;
const schemas: string[] = [];

async function adminClient(): Promise<pg.Client> {
  if (!admin) {
    admin = new pg.Client(parsePostgresUrl(PG_TEST_URL).config);
    admin.on('error', () => undefined);
    await admin.connect();
  }
  return admin;
}

/** A fresh, empty schema (autonomic_test_<random>) and the store URL naming it. */
export async function freshPgUrl(): Promise<string> {
  const schema = `autonomic_test_${randomBytes(6).toString('hex')}`;
  await (await adminClient()).query(`create schema ${schema}`);
  schemas.push(schema);
  const u = new URL(PG_TEST_URL);
  u.searchParams.set('schema', schema);
  return u.href;
}

const dir = mkdtempSync(join(tmpdir(), 'autonomic-store-'));
let files = 0;

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!admin) return;
  for (const s of schemas) await admin.query(`drop schema if exists ${s} cascade`).catch(() => undefined);
  await admin.end().catch(() => undefined);
});

export const sqliteBackend: Backend = {
  flavor: 'sqlite',
  fresh: async () => join(dir, `s${++files}.db`),
  async tamper(path, ...statements) {
    const raw = new Database(path);
    try {
      raw.exec('drop trigger if exists journal_no_update; drop trigger if exists journal_no_delete;');
      raw.transaction(() => { for (const s of statements) raw.exec(s); })();
    } finally {
      raw.close();
    }
  },
};

export const postgresBackend: Backend = {
  flavor: 'postgres',
  skip: pgSkip,
  fresh: freshPgUrl,
  async tamper(url, ...statements) {
    const client = new pg.Client(parsePostgresUrl(url).config);
    await client.connect();
    try {
      await client.query('begin');
      await client.query('drop trigger if exists journal_no_update_delete on journal');
      for (const s of statements) await client.query(s);
      await client.query('commit');
    } catch (e) {
      await client.query('rollback').catch(() => undefined);
      throw e;
    } finally {
      await client.end();
    }
  },
};

export const BACKENDS: readonly Backend[] = [sqliteBackend, postgresBackend];

/** Registers `name [sqlite]` and `name [postgres]`; the PostgreSQL one skips with the reason when the server is unreachable. */
export function testEachBackend(name: string, fn: (b: Backend, t: TestContext) => Promise<void>): void {
  for (const b of BACKENDS) test(`${name} [${b.flavor}]`, { skip: b.skip }, (t) => fn(b, t));
}
