import * as nodeCrypto from 'node:crypto';
import type { Selectable, Transaction } from 'kysely';
import { GENESIS_HASH, type JournalTable, type KnowledgeDb, type KnowledgeSchema, type SqlFlavor } from './migrations.js';

/**
 * The journal: an append-only, hash-chained audit log of every decision the loop takes.
 *
 * Each entry's hash = sha256(prevHash + canonical JSON of all its other fields), so editing,
 * deleting, reordering or inserting rows breaks the chain. A one-row `journal_head` table, written
 * in the same transaction as every append, makes a truncated tail detectable too. (An attacker who
 * rewrites the whole tail *and* the head cannot be caught from inside the database: anchor the
 * `head` returned by verify() somewhere else for that.)
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface JournalInput {
  /** Simulation or wall-clock time, seconds. */
  at: number;
  runId?: string | null;
  /** 'decision' | 'approval' | 'run' | 'fault' | 'note' | ... */
  kind: string;
  /** The policy, model or person responsible. */
  actor: string;
  /** One human sentence: the rationale. */
  summary: string;
  /** Inputs/evidence, proposal, verdict, outcome, expected effect: anything JSON-serialisable. */
  payload?: unknown;
}

export interface JournalEntry {
  seq: number;
  at: number;
  runId: string | null;
  kind: string;
  actor: string;
  summary: string;
  payload: JsonValue;
  prevHash: string;
  hash: string;
}

export interface JournalHead {
  seq: number;
  hash: string;
}

export interface AppendBatchResult {
  count: number;
  /** 0 / lastSeq of the previous head when the batch was empty. */
  firstSeq: number;
  lastSeq: number;
  head: JournalHead;
}

export interface JournalQuery {
  runId?: string;
  kind?: string;
  /** Only entries with `at >= since`. */
  since?: number;
  /** Only entries with `seq > afterSeq` (cursor paging that stays cheap on big tables). */
  afterSeq?: number;
  /** Defaults to 1000 so an unfiltered list of a million-row journal cannot exhaust memory. */
  limit?: number;
  offset?: number;
}

export type TamperKind = 'edited' | 'deleted' | 'reordered' | 'truncated' | 'inserted';

export type VerifyResult =
  | { ok: true; entries: number; head: JournalHead }
  | { ok: false; entries: number; firstBadSeq: number; problem: TamperKind; detail: string };

/**
 * JSON with object keys sorted (UTF-16 code-unit order), otherwise exactly JSON.stringify's
 * semantics (toJSON, undefined/functions dropped from objects and null in arrays, non-finite
 * numbers as null), so equal data always yields equal bytes and therefore equal hashes.
 */
export function stableStringify(value: unknown): string {
  return encode(value, 0) ?? 'null';
}

const MAX_DEPTH = 1000;

// Hot path (every journal payload): plain objects skip the toJSON lookup, and a depth limit
// stands in for a visited-set to catch cycles without allocating.
function encode(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    case 'bigint':
      throw new TypeError('stableStringify: bigint is not JSON-serialisable');
    default: // undefined, function, symbol
      return undefined;
  }
  if (value === null) return 'null';
  if (depth > MAX_DEPTH) throw new TypeError('stableStringify: structure too deep or circular');
  if (Array.isArray(value)) {
    const parts = new Array<string>(value.length);
    for (let i = 0; i < value.length; i++) parts[i] = encode(value[i], depth + 1) ?? 'null';
    return `[${parts.join(',')}]`;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return encode((value as { toJSON: () => unknown }).toJSON(), depth + 1);
  }
  const rec = value as Record<string, unknown>;
  const keys = Object.keys(rec).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const v = encode(rec[key], depth + 1);
    if (v !== undefined) parts.push(`${JSON.stringify(key)}:${v}`);
  }
  return `{${parts.join(',')}}`;
}

interface HashFields {
  seq: number;
  at: number;
  runId: string | null;
  kind: string;
  actor: string;
  summary: string;
  /** Already canonical JSON text. */
  payloadJson: string;
  prevHash: string;
}

/**
 * Canonical JSON of an entry minus its hash, assembled by hand in sorted key order (actor, at,
 * kind, payload, prevHash, runId, seq, summary) so the stored payload text is reused instead of
 * re-parsed: this is the verify() hot path. Equal to stableStringify of the same object.
 */
export function canonicalEntryJson(f: HashFields): string {
  return (
    `{"actor":${JSON.stringify(f.actor)},"at":${stableStringify(f.at)},"kind":${JSON.stringify(f.kind)}` +
    `,"payload":${f.payloadJson},"prevHash":${JSON.stringify(f.prevHash)},"runId":${JSON.stringify(f.runId)}` +
    `,"seq":${stableStringify(f.seq)},"summary":${JSON.stringify(f.summary)}}`
  );
}

// crypto.hash (Node >= 20.12) is a one-shot digest about twice as fast as createHash for small inputs.
const oneShot = (nodeCrypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

export function entryHash(f: HashFields): string {
  const data = f.prevHash + canonicalEntryJson(f);
  return oneShot ? oneShot('sha256', data, 'hex') : nodeCrypto.createHash('sha256').update(data).digest('hex');
}

export type JournalRow = Selectable<JournalTable>;

/**
 * Writes already-hashed rows inside the transaction append() has open. The default goes through
 * Kysely in multi-row chunks (portable); SQLite can pass a prepared-statement writer instead.
 */
export type JournalRowWriter = (rows: readonly JournalRow[], trx: Transaction<KnowledgeSchema>) => void | Promise<void>;

export interface JournalOptions {
  flavor?: SqlFlavor;
  rowWriter?: JournalRowWriter;
}

export interface AppendOptions {
  /**
   * Runs inside the append's transaction, after the rows and head are written and while the head is locked: other
   * writes that must commit or fail together with the entries (an HA tick's record and its fencing check).
   */
  within?: (trx: Transaction<KnowledgeSchema>, result: AppendBatchResult) => Promise<void>;
}

function rowFields(r: JournalRow): HashFields {
  return {
    seq: Number(r.seq), // pg returns bigint columns as strings
    at: Number(r.at),
    runId: r.run_id,
    kind: r.kind,
    actor: r.actor,
    summary: r.summary,
    payloadJson: r.payload,
    prevHash: r.prev_hash,
  };
}

function rowToEntry(r: JournalRow): JournalEntry {
  return {
    seq: Number(r.seq),
    at: Number(r.at),
    runId: r.run_id,
    kind: r.kind,
    actor: r.actor,
    summary: r.summary,
    payload: JSON.parse(r.payload) as JsonValue,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

function checkInput(e: JournalInput, i: number): void {
  const where = `journal entry ${i}`;
  if (typeof e.at !== 'number' || !Number.isFinite(e.at)) throw new TypeError(`${where}: at must be a finite number`);
  if (typeof e.kind !== 'string' || e.kind === '') throw new TypeError(`${where}: kind must be a non-empty string`);
  if (typeof e.actor !== 'string' || e.actor === '') throw new TypeError(`${where}: actor must be a non-empty string`);
  if (typeof e.summary !== 'string') throw new TypeError(`${where}: summary must be a string`);
  if (e.runId != null && typeof e.runId !== 'string') throw new TypeError(`${where}: runId must be a string or null`);
}

/** Bound-parameter ceilings: SQLite (as compiled by better-sqlite3) and PostgreSQL's wire protocol. */
const MAX_PARAMS: Record<SqlFlavor, number> = { sqlite: 32766, postgres: 65535 };
const JOURNAL_COLUMNS = 9;
const VERIFY_CHUNK = 5000;

export class Journal {
  private readonly rowsPerInsert: number;
  private readonly rowWriter: JournalRowWriter | undefined;
  private readonly flavor: SqlFlavor;

  private constructor(private readonly db: KnowledgeDb, opts: JournalOptions) {
    this.flavor = opts.flavor ?? 'sqlite';
    this.rowsPerInsert = Math.floor(MAX_PARAMS[this.flavor] / JOURNAL_COLUMNS);
    this.rowWriter = opts.rowWriter;
  }

  /** `db` must already be migrated (openStore does that). */
  static async open(db: KnowledgeDb, opts: JournalOptions = {}): Promise<Journal> {
    const head = await db.selectFrom('journal_head').select('seq').where('id', '=', 1).executeTakeFirst();
    if (!head) throw new Error('journal_head row is missing: the knowledge store is not migrated or was tampered with');
    return new Journal(db, opts);
  }

  async append(input: JournalInput): Promise<JournalEntry> {
    const [row] = await this.write([input]);
    return rowToEntry(row);
  }

  /** All of `inputs` in one transaction: either every entry lands, chained, or none does. */
  async appendBatch(inputs: readonly JournalInput[], opts: AppendOptions = {}): Promise<AppendBatchResult> {
    if (inputs.length === 0 && !opts.within) {
      const head = await this.head();
      return { count: 0, firstSeq: head.seq, lastSeq: head.seq, head };
    }
    // Seq range and head only: building 50k entry objects for callers that ignore them costs GC time.
    let result: AppendBatchResult | undefined;
    await this.write(inputs, async (trx, rows, head) => {
      const last = rows[rows.length - 1];
      result = last
        ? { count: rows.length, firstSeq: rows[0].seq, lastSeq: last.seq, head: { seq: last.seq, hash: last.hash } }
        : { count: 0, firstSeq: head.seq, lastSeq: head.seq, head };
      await opts.within?.(trx, result);
    });
    if (!result) throw new Error('journal append finished without a result');
    return result;
  }

  private async write(
    inputs: readonly JournalInput[],
    then?: (trx: Transaction<KnowledgeSchema>, rows: JournalRow[], head: JournalHead) => Promise<void>,
  ): Promise<JournalRow[]> {
    // Serialise and validate before taking the write lock, so a bad entry costs no lock time.
    const payloads = inputs.map((e, i) => {
      checkInput(e, i);
      return stableStringify(e.payload ?? null);
    });
    return this.db.transaction().execute(async (trx) => {
      // Lock the head before reading it, so concurrent writers (other processes too) serialise and never fork
      // the chain. SQLite: a no-op UPDATE takes the database write lock (waiting on busy_timeout). PostgreSQL:
      // SELECT … FOR UPDATE row-locks the head and, once a competing writer commits, returns its new head.
      const head =
        this.flavor === 'postgres'
          ? await trx.selectFrom('journal_head').select(['seq', 'hash']).where('id', '=', 1).forUpdate().executeTakeFirstOrThrow()
          : await trx
            .updateTable('journal_head')
            .set((eb) => ({ seq: eb.ref('seq') }))
            .where('id', '=', 1)
            .returning(['seq', 'hash'])
            .executeTakeFirstOrThrow();
      let seq = Number(head.seq);
      let prevHash = head.hash;
      const rows: JournalRow[] = new Array(inputs.length);
      for (let i = 0; i < inputs.length; i++) {
        const e = inputs[i];
        seq += 1;
        const f: HashFields = {
          seq,
          at: e.at,
          runId: e.runId ?? null,
          kind: e.kind,
          actor: e.actor,
          summary: e.summary,
          payloadJson: payloads[i],
          prevHash,
        };
        const hash = entryHash(f);
        rows[i] = {
          seq, at: f.at, run_id: f.runId, kind: f.kind, actor: f.actor, summary: f.summary,
          payload: f.payloadJson, prev_hash: prevHash, hash,
        };
        prevHash = hash;
      }
      if (this.rowWriter) {
        await this.rowWriter(rows, trx);
      } else {
        for (let i = 0; i < rows.length; i += this.rowsPerInsert) {
          await trx.insertInto('journal').values(rows.slice(i, i + this.rowsPerInsert)).execute();
        }
      }
      if (rows.length > 0) await trx.updateTable('journal_head').set({ seq, hash: prevHash }).where('id', '=', 1).execute();
      await then?.(trx, rows, { seq, hash: prevHash });
      return rows;
    });
  }

  async head(): Promise<JournalHead> {
    const h = await this.db.selectFrom('journal_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
    return { seq: Number(h.seq), hash: h.hash };
  }

  async get(seq: number): Promise<JournalEntry | undefined> {
    const r = await this.db.selectFrom('journal').selectAll().where('seq', '=', seq).executeTakeFirst();
    return r ? rowToEntry(r) : undefined;
  }

  /** Entries in seq order. */
  async list(q: JournalQuery = {}): Promise<JournalEntry[]> {
    let query = this.db.selectFrom('journal').selectAll();
    if (q.runId !== undefined) query = query.where('run_id', '=', q.runId);
    if (q.kind !== undefined) query = query.where('kind', '=', q.kind);
    if (q.since !== undefined) query = query.where('at', '>=', q.since);
    if (q.afterSeq !== undefined) query = query.where('seq', '>', q.afterSeq);
    query = query.orderBy('seq').limit(q.limit ?? 1000);
    if (q.offset !== undefined) query = query.offset(q.offset);
    return (await query.execute()).map(rowToEntry);
  }

  /** Time of the newest entry of a run, or undefined: where a resumed run's replay stops suppressing writes. */
  async lastAt(runId: string): Promise<number | undefined> {
    const r = await this.db.selectFrom('journal').select('at').where('run_id', '=', runId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return r ? Number(r.at) : undefined;
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('journal').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /**
   * Walk the whole chain in seq order, `VERIFY_CHUNK` rows at a time (memory stays flat for
   * millions of rows), and stop at the first problem. Runs inside one read transaction so a
   * concurrent append cannot look like tampering.
   */
  async verify(): Promise<VerifyResult> {
    // PostgreSQL's default isolation gives each statement a fresh snapshot; one snapshot for the walk needs
    // REPEATABLE READ. SQLite's read transaction is a snapshot already (and its driver ignores the level).
    const trxBuilder = this.flavor === 'postgres' ? this.db.transaction().setIsolationLevel('repeatable read') : this.db.transaction();
    return trxBuilder.execute(async (trx) => {
      const headRow = await trx.selectFrom('journal_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
      if (!headRow) {
        return { ok: false, entries: 0, firstBadSeq: 1, problem: 'deleted', detail: 'the journal_head row is missing' };
      }
      const head: JournalHead = { seq: Number(headRow.seq), hash: headRow.hash };
      // Rows below seq 1 sort before the keyset walk below and would never be reached by it.
      const stray = await trx.selectFrom('journal').select('seq').where('seq', '<', 1).limit(1).executeTakeFirst();
      if (stray) {
        return { ok: false, entries: 0, firstBadSeq: Number(stray.seq), problem: 'inserted', detail: `row with seq ${stray.seq} precedes the genesis entry` };
      }
      let expectedSeq = 1;
      let prevHash = GENESIS_HASH;
      let entries = 0;
      for (;;) {
        const rows = await trx
          .selectFrom('journal')
          .selectAll()
          .where('seq', '>=', expectedSeq)
          .orderBy('seq')
          .limit(VERIFY_CHUNK)
          .execute();
        for (const r of rows) {
          const f = rowFields(r);
          if (f.seq > head.seq) {
            // The head is written with every append, so rows past it were not written by us.
            return {
              ok: false, entries, firstBadSeq: f.seq, problem: 'inserted',
              detail: `row seq ${f.seq} lies beyond the recorded head (seq ${head.seq})`,
            };
          }
          if (f.seq !== expectedSeq) {
            return {
              ok: false, entries, firstBadSeq: expectedSeq, problem: 'deleted',
              detail: `seq ${expectedSeq}${f.seq - 1 > expectedSeq ? `..${f.seq - 1}` : ''} missing: next row is seq ${f.seq}`,
            };
          }
          const selfOk = entryHash(f) === r.hash;
          if (!selfOk || f.prevHash !== prevHash) {
            const bad = await classify(trx, f, r.hash, selfOk, prevHash);
            return { ok: false, entries, ...bad };
          }
          prevHash = r.hash;
          expectedSeq += 1;
          entries += 1;
        }
        if (rows.length < VERIFY_CHUNK) break;
      }
      const lastSeq = expectedSeq - 1;
      if (lastSeq < head.seq) {
        return {
          ok: false, entries, firstBadSeq: lastSeq + 1, problem: 'truncated',
          detail: `head records ${head.seq} entries but the chain ends at seq ${lastSeq}`,
        };
      }
      if (prevHash !== head.hash) {
        return {
          ok: false, entries, firstBadSeq: lastSeq, problem: 'edited',
          detail: `last entry's hash ${prevHash.slice(0, 12)}… differs from the recorded head ${head.hash.slice(0, 12)}…`,
        };
      }
      return { ok: true, entries, head };
    });
  }
}

type Reader = Pick<KnowledgeDb, 'selectFrom'>;

/**
 * The row at `f.seq` fails its own hash or does not link to its predecessor. Work out what
 * most plausibly happened; this runs once, on failure, so full-table lookups are acceptable.
 */
async function classify(
  db: Reader,
  f: HashFields,
  storedHash: string,
  selfOk: boolean,
  expectedPrev: string,
): Promise<{ firstBadSeq: number; problem: TamperKind; detail: string }> {
  const seq = f.seq;
  if (f.prevHash !== expectedPrev) {
    // The row carries some other entry's link. Where does that link point?
    const origin = await originalSeq(db, f.prevHash);
    if (origin === undefined) {
      return { firstBadSeq: seq, problem: 'deleted', detail: `seq ${seq} links to an entry that no longer exists (a row before it was deleted and the rest renumbered)` };
    }
    const movedIntact = entryHash({ ...f, seq: origin }) === storedHash;
    if (movedIntact && origin < seq) {
      // Its predecessor is intact and earlier: rows were pushed in between.
      return { firstBadSeq: origin, problem: 'inserted', detail: `entry originally at seq ${origin} now sits at seq ${seq}: ${seq - origin} row(s) inserted before it` };
    }
    if (movedIntact) {
      return { firstBadSeq: seq, problem: 'reordered', detail: `seq ${seq} holds the entry originally at seq ${origin}` };
    }
    if (selfOk) {
      return { firstBadSeq: seq, problem: 'inserted', detail: `seq ${seq} is self-consistent but does not chain to seq ${seq - 1}: a forged row` };
    }
    return { firstBadSeq: seq, problem: 'edited', detail: `seq ${seq}: prevHash and content altered` };
  }
  // Link intact, content not: was this content moved here from another row (a content swap)?
  const from = await findContentOrigin(db, f, storedHash);
  if (from !== undefined) {
    return { firstBadSeq: seq, problem: 'reordered', detail: `seq ${seq} holds the content recorded at seq ${from}` };
  }
  return { firstBadSeq: seq, problem: 'edited', detail: `seq ${seq}: content does not match its hash` };
}

/** The seq an entry whose prevHash is `prevHash` was originally written at. */
async function originalSeq(db: Reader, prevHash: string): Promise<number | undefined> {
  if (prevHash === GENESIS_HASH) return 1;
  const r = await db.selectFrom('journal').select('seq').where('hash', '=', prevHash).executeTakeFirst();
  return r ? Number(r.seq) + 1 : undefined;
}

/** Stream the table looking for a row whose content, placed at f's position, yields storedHash. */
async function findContentOrigin(db: Reader, f: HashFields, storedHash: string): Promise<number | undefined> {
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('journal').selectAll().where('seq', '>', after).orderBy('seq').limit(VERIFY_CHUNK).execute();
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq === f.seq) continue;
      const c = rowFields(r);
      if (entryHash({ ...c, seq: f.seq, prevHash: f.prevHash }) === storedHash) return seq;
    }
    if (rows.length < VERIFY_CHUNK) return undefined;
    after = Number(rows[rows.length - 1].seq);
  }
}
