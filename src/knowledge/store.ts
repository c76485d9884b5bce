import { existsSync, mkdirSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { KnowledgeMigrationProvider, type KnowledgeDb, type KnowledgeSchema, type SqlFlavor } from './migrations.js';
import { Journal, type JournalRowWriter } from './journal.js';
import { RunStore } from './runs.js';
import { SqliteApprovalRepository } from './sqlite-approval-repository.js';
import { TickLedger } from './tick-ledger.js';
import { IntentStore } from './intent-store.js';
import { ensureSchema, isPostgresUrl, parsePostgresUrl } from './postgres.js';

/**
 * The knowledge store: one database holding the journal, runs and approvals.
 *
 * Everything above this file talks to Kysely, never to better-sqlite3 or pg: a file path (or ':memory:')
 * opens SQLite, a postgres:// URL opens PostgreSQL (shared by HA replicas), with the same migrations and queries.
 */

/** Where the store lives unless AUTONOMIC_DB or an explicit path says otherwise. */
export const DEFAULT_DB_PATH = '.autonomic/autonomic.db';
export const DB_PATH_ENV = 'AUTONOMIC_DB';

/** Explicit path or postgres:// URL, else $AUTONOMIC_DB, else DEFAULT_DB_PATH. */
export function resolveDbPath(path?: string): string {
  return path ?? (process.env[DB_PATH_ENV] || DEFAULT_DB_PATH);
}

/** The flavor a store location opens as: postgres:// (or postgresql://) URLs are PostgreSQL, anything else a SQLite file. */
export function storeFlavor(location: string): SqlFlavor {
  return isPostgresUrl(location) ? 'postgres' : 'sqlite';
}

export interface OpenedDatabase {
  db: KnowledgeDb;
  flavor: SqlFlavor;
  /** File path, or the postgres:// URL without its password. */
  path: string;
  /** The journal's bulk writer for this backend, if it has one faster than the query builder. */
  journalRowWriter?: JournalRowWriter;
}

/** How long a writer waits for another process's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdirSync never returns for some unwritable paths (under
 * /proc it loops), where a plain mkdirSync fails at once with a code we can report.
 */
function ensureDir(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      throw new UserError(`cannot create the knowledge store's folder (${(e as NodeJS.ErrnoException).code ?? String(e)}); check --db or $AUTONOMIC_DB`, d);
    }
  }
}

/** Open (creating the folder, or the URL's schema, if needed) and migrate to the latest schema. */
export async function openDatabase(path?: string): Promise<OpenedDatabase> {
  const p = resolveDbPath(path);
  if (isPostgresUrl(p)) return openPostgres(p);
  if (p !== ':memory:' && p !== '') ensureDir(dirname(p));
  const raw = new Database(p);
  try {
    // busy_timeout first: switching a fresh file to WAL needs a lock another opener may hold.
    // WAL: readers never block the writer. synchronous=NORMAL: in WAL mode a commit survives a
    // process crash (SIGKILL); only an OS crash/power loss can lose the last commits, never corrupt.
    raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
  } catch (e) {
    raw.close();
    throw e;
  }
  const db = new Kysely<KnowledgeSchema>({ dialect: new SqliteDialect({ database: raw }) });
  try {
    await migrate(db, 'sqlite');
  } catch (e) {
    await db.destroy();
    throw e;
  }
  // Bulk journal writes through one cached prepared statement instead of compiling a
  // 32k-parameter Kysely insert per chunk (10-30% faster end to end, measured). It runs synchronously
  // on the same single connection that Journal's Kysely transaction holds, so it is inside it.
  const insert = raw.prepare(
    'insert into journal (seq, at, run_id, kind, actor, summary, payload, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const journalRowWriter: JournalRowWriter = (rows) => {
    for (const r of rows) insert.run(r.seq, r.at, r.run_id, r.kind, r.actor, r.summary, r.payload, r.prev_hash, r.hash);
  };
  return { db, flavor: 'sqlite', path: p, journalRowWriter };
}

/** Pool size per process: the loop is one writer; a few more serve reads and approvals alongside it. */
const PG_POOL_MAX = 4;

async function openPostgres(url: string): Promise<OpenedDatabase> {
  const target = parsePostgresUrl(url);
  await ensureSchema(target);
  const pool = new pg.Pool({ ...target.config, max: PG_POOL_MAX });
  // An idle pooled connection the server dropped must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<KnowledgeSchema>({ dialect: new PostgresDialect({ pool }) });
  try {
    const schema = target.schema ?? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0].s;
    await migrate(db, 'postgres', schema);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  // No row writer: Kysely's multi-row inserts are the bulk path on PostgreSQL.
  return { db, flavor: 'postgres', path: target.display };
}

/**
 * `schema` (PostgreSQL): where Kysely keeps its migration bookkeeping. It must be named, or Kysely takes another
 * schema's kysely_migration table for ours and skips creating it.
 */
export async function migrate(db: KnowledgeDb, flavor: SqlFlavor, schema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider: new KnowledgeMigrationProvider(flavor), migrationTableSchema: schema });
  // Two processes opening a fresh file at once can collide (Kysely's migration lock is a no-op
  // on SQLite): the loser fails with SQLITE_BUSY or "table already exists", its transaction rolls
  // back, and a retry finds the winner's migrations applied. A genuinely broken migration fails
  // every attempt and its error is thrown. On PostgreSQL, Kysely's check for its migration table lists the tables
  // of every schema, which fails if another schema is dropped meanwhile (3F000, XX000): worth another try too.
  for (let attempt = 1; ; attempt++) {
    const { error } = await migrator.migrateToLatest();
    if (!error) return;
    const code = (error as { code?: unknown }).code;
    if (attempt >= 5 || typeof code !== 'string' || !(code.startsWith('SQLITE_') || code === '3F000' || code === 'XX000')) {
      throw error instanceof Error ? error : new Error(`migration failed: ${String(error)}`);
    }
    await new Promise((r) => setTimeout(r, 20 * attempt));
  }
}

export interface Store {
  db: KnowledgeDb;
  journal: Journal;
  runs: RunStore;
  approvals: SqliteApprovalRepository;
  /** Exactly-once tick records of replicated (HA) loops. */
  ticks: TickLedger;
  /** Intent bundles (request, spec, plan, artefacts, findings, decision). */
  intents: IntentStore;
  flavor: SqlFlavor;
  /** File path, or the postgres:// URL without its password. */
  path: string;
  close(): Promise<void>;
}

/**
 * The single entry point: open `path` (or $AUTONOMIC_DB, or DEFAULT_DB_PATH; ':memory:' for
 * throwaway stores; a postgres:// URL for a shared one), migrate, and mark runs left behind by dead processes as interrupted.
 */
export async function openStore(path?: string): Promise<Store> {
  const { db, flavor, path: p, journalRowWriter } = await openDatabase(path);
  try {
    const journal = await Journal.open(db, { flavor, rowWriter: journalRowWriter });
    const runs = await RunStore.open(db);
    const approvals = new SqliteApprovalRepository(db);
    let closed = false;
    return {
      db, journal, runs, approvals, ticks: new TickLedger(db, journal, flavor), intents: new IntentStore(db), flavor, path: p,
      async close() {
        if (closed) return;
        closed = true;
        await db.destroy();
      },
    };
  } catch (e) {
    await db.destroy();
    throw e;
  }
}
