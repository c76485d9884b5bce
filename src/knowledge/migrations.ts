import { sql, type Generated, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/**
 * The knowledge store's schema, as Kysely sees it, and the migrations that create it.
 *
 * SQL is written through Kysely's schema builder so the same migrations run on SQLite and PostgreSQL;
 * the few dialect-specific pieces (integer primary-key and blob types, triggers) branch on `flavor`.
 * Column names are snake_case (portable, unquoted); the TypeScript API maps them to camelCase.
 */

export type SqlFlavor = 'sqlite' | 'postgres';

/** Hash of the empty chain: the prevHash of entry 1. */
export const GENESIS_HASH = '0'.repeat(64);

export interface JournalTable {
  seq: number;
  at: number;
  run_id: string | null;
  kind: string;
  actor: string;
  summary: string;
  /** Canonical (sorted-key) JSON text: exactly the bytes that were hashed. */
  payload: string;
  prev_hash: string;
  hash: string;
}

/** One row (id = 1): the last seq and hash, so a truncated tail is detectable. */
export interface JournalHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface RunsTable {
  id: string;
  created_at: number;
  command: string;
  config: string;
  seed: number | null;
  status: string;
  last_tick: number | null;
  progress: string | null;
  finished_at: number | null;
  result: string | null;
  error: string | null;
  pid: number | null;
  host: string | null;
  updated_at: number;
}

export interface ApprovalsTable {
  id: string;
  created_at: number;
  expires_at: number;
  action: string;
  source: string;
  rationale: string;
  reasons: string;
  status: string;
  decided_by: string | null;
  decided_at: number | null;
  note: string | null;
}

/** Model registry: one row per trained model version of one series. */
export interface ModelsTable {
  id: Generated<number>;
  series_key: string;
  kind: string;
  /** 1, 2, … per (series_key, kind). */
  version: number;
  created_at: number;
  /** First and last bucket of the training data, in (trace) seconds. */
  train_start: number;
  train_end: number;
  /** JSON: { mase_1h, mase_24h, n_origins } from the backtest. */
  scores: string;
  /** JSON: options and fitted parameters. */
  params: string;
  /** Opaque fitted state (e.g. network weights), if the kind has any. */
  state: Uint8Array | null;
  status: string;
}

/** Why every model changed status (or did not): registration, promotion, refusal, retirement. */
export interface ModelEventsTable {
  id: Generated<number>;
  at: number;
  series_key: string;
  model_id: number;
  event: string;
  reason: string;
  /** JSON. */
  details: string;
}

/** Stored telemetry: one value per series and 5-minute bucket (floor(seconds / 300)). */
export interface TelemetryTable {
  series_key: string;
  bucket: number;
  value: number;
}

/** One row per HA group: the current leader's fencing term (knowledge/leader-election.ts). */
export interface LeaderTermsTable {
  name: string;
  /** Bumped by every new leader; a write carrying an older term is refused. */
  term: number;
  holder: string;
  acquired_at: number;
  heartbeat_at: number;
}

/** One row per committed loop tick: (loop_id, tick) is unique, so a tick can be recorded once only. */
/** One intent bundle: the request, its answers, and what the pipeline made of it (JSON text columns). */
export interface IntentsTable {
  id: string;
  created_at: number;
  updated_at: number;
  text: string;
  target: string;
  /** needs-answers | ready | escalated | no-builder | approved | rejected | applied */
  status: string;
  answers: string;
  spec: string;
  plan: string | null;
  files: string;
  findings: string;
  /** The bundle this one grows or changes ("add one more worker to that cluster"). */
  parent_id: string | null;
  approval_required: number;
  decided_by: string | null;
  decided_at: number | null;
  applied_to: string | null;
}

export interface LoopTicksTable {
  loop_id: string;
  tick: number;
  /** Loop (possibly simulated) time of the tick. */
  at: number;
  term: number | null;
  holder: string;
  /** The tick's own journal entry. */
  journal_seq: number;
  committed_at: number;
}

/** One row per run: the latest summary of what its loop saw (knowledge/latest-state.ts), upserted each tick. */
export interface LatestStateTable {
  run_id: string;
  /** Loop (possibly simulated) time of the snapshot. */
  at: number;
  /** Wall-clock seconds of the write: how stale the view is. */
  updated_at: number;
  /** JSON of the bounded summary (LoopStateSchema). */
  state: string;
}

/** Approvals a replicated loop queued, so whichever replica leads later knows them (knowledge/loop-approvals.ts). */
export interface LoopApprovalsTable {
  approval_id: string;
  loop_id: string;
  /** actionTarget of the action: one waiting approval per resource across leaders. */
  target: string;
  term: number;
  queued_at: number;
}

/** At most one row per approval: the leader that took it to execute (primary key = exactly one claim). */
export interface ApprovalClaimsTable {
  approval_id: string;
  loop_id: string;
  term: number;
  holder: string;
  claimed_at: number;
  /** null until settled: 'executed', 'failed' or 'refused' (the guardrails recheck said no). */
  outcome: string | null;
}

export interface KnowledgeSchema {
  journal: JournalTable;
  journal_head: JournalHeadTable;
  runs: RunsTable;
  approvals: ApprovalsTable;
  models: ModelsTable;
  model_events: ModelEventsTable;
  telemetry: TelemetryTable;
  leader_terms: LeaderTermsTable;
  loop_ticks: LoopTicksTable;
  intents: IntentsTable;
  latest_state: LatestStateTable;
  loop_approvals: LoopApprovalsTable;
  approval_claims: ApprovalClaimsTable;
}

export type KnowledgeDb = Kysely<KnowledgeSchema>;

/** Migrations never use the typed schema: they describe tables that may not exist yet. */
type AnyDb = Kysely<unknown>;

function journalMigration(flavor: SqlFlavor): Migration {
  // SQLite: exactly "integer primary key" makes seq the rowid (no second b-tree); PG wants bigint.
  const seqType = flavor === 'sqlite' ? 'integer' : 'bigint';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('journal')
        .addColumn('seq', seqType, (c) => c.primaryKey())
        .addColumn('at', 'double precision', (c) => c.notNull())
        .addColumn('run_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('journal_run_id').on('journal').columns(['run_id', 'seq']).execute();
      // No index on kind: every index slows the hot append path; list({kind}) scans in seq order.
      await db.schema
        .createTable('journal_head')
        .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn('seq', seqType, (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await sql`insert into journal_head (id, seq, hash) values (1, 0, ${GENESIS_HASH})`.execute(db);

      // Defence in depth: the application never edits or deletes journal rows, so refuse it at
      // the database. An attacker with file access can drop the trigger; the hash chain catches that.
      if (flavor === 'sqlite') {
        await sql`create trigger journal_no_update before update on journal
          begin select raise(abort, 'journal is append-only: update refused'); end`.execute(db);
        await sql`create trigger journal_no_delete before delete on journal
          begin select raise(abort, 'journal is append-only: delete refused'); end`.execute(db);
      } else {
        // Same messages as SQLite's. Row triggers do not see TRUNCATE, so it gets a statement trigger of its own.
        await sql`create function journal_append_only() returns trigger language plpgsql as $$
          begin raise exception 'journal is append-only: % refused', lower(tg_op); end $$`.execute(db);
        await sql`create trigger journal_no_update_delete before update or delete on journal
          for each row execute function journal_append_only()`.execute(db);
        await sql`create trigger journal_no_truncate before truncate on journal
          for each statement execute function journal_append_only()`.execute(db);
      }
    },
  };
}

const runsMigration: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'double precision', (c) => c.notNull())
      .addColumn('command', 'text', (c) => c.notNull())
      .addColumn('config', 'text', (c) => c.notNull())
      .addColumn('seed', 'bigint')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('last_tick', 'double precision')
      .addColumn('progress', 'text')
      .addColumn('finished_at', 'double precision')
      .addColumn('result', 'text')
      .addColumn('error', 'text')
      .addColumn('pid', 'integer')
      .addColumn('host', 'text')
      .addColumn('updated_at', 'double precision', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('runs_status').on('runs').column('status').execute();
  },
};

const approvalsMigration: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('approvals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'double precision', (c) => c.notNull())
      .addColumn('expires_at', 'double precision', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('rationale', 'text', (c) => c.notNull())
      .addColumn('reasons', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('decided_by', 'text')
      .addColumn('decided_at', 'double precision')
      .addColumn('note', 'text')
      .execute();
    await db.schema.createIndex('approvals_status').on('approvals').columns(['status', 'created_at']).execute();
  },
};

function modelsMigration(flavor: SqlFlavor): Migration {
  // SQLite: "integer primary key" is the auto-assigned rowid; PG needs an explicit sequence.
  const idType = flavor === 'sqlite' ? 'integer' : 'bigserial';
  const blobType = flavor === 'sqlite' ? 'blob' : 'bytea';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('models')
        .addColumn('id', idType, (c) => c.primaryKey())
        .addColumn('series_key', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'double precision', (c) => c.notNull())
        .addColumn('train_start', 'double precision', (c) => c.notNull())
        .addColumn('train_end', 'double precision', (c) => c.notNull())
        .addColumn('scores', 'text', (c) => c.notNull())
        .addColumn('params', 'text', (c) => c.notNull())
        .addColumn('state', blobType)
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('candidate', 'active', 'retired')`))
        .addUniqueConstraint('models_series_kind_version', ['series_key', 'kind', 'version'])
        .execute();
      // At most one active model per series, enforced by the database (both dialects support partial indexes).
      await sql`create unique index models_one_active on models (series_key) where status = 'active'`.execute(db);
      await db.schema
        .createTable('model_events')
        .addColumn('id', idType, (c) => c.primaryKey())
        .addColumn('at', 'double precision', (c) => c.notNull())
        .addColumn('series_key', 'text', (c) => c.notNull())
        .addColumn('model_id', 'bigint', (c) => c.notNull().references('models.id'))
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('model_events_series').on('model_events').columns(['series_key', 'id']).execute();
    },
  };
}

const telemetryMigration: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('telemetry')
      .addColumn('series_key', 'text', (c) => c.notNull())
      .addColumn('bucket', 'bigint', (c) => c.notNull())
      .addColumn('value', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('telemetry_pk', ['series_key', 'bucket'])
      .execute();
  },
};

const haMigration: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('leader_terms')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('term', 'bigint', (c) => c.notNull())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('acquired_at', 'double precision', (c) => c.notNull())
      .addColumn('heartbeat_at', 'double precision', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('loop_ticks')
      .addColumn('loop_id', 'text', (c) => c.notNull())
      .addColumn('tick', 'bigint', (c) => c.notNull().check(sql`tick >= 1`))
      .addColumn('at', 'double precision', (c) => c.notNull())
      .addColumn('term', 'bigint')
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('journal_seq', 'bigint', (c) => c.notNull())
      .addColumn('committed_at', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('loop_ticks_pk', ['loop_id', 'tick'])
      .execute();
  },
};

const intentsMigration: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('intents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'double precision', (c) => c.notNull())
      .addColumn('updated_at', 'double precision', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('answers', 'text', (c) => c.notNull())
      .addColumn('spec', 'text', (c) => c.notNull())
      .addColumn('plan', 'text')
      .addColumn('files', 'text', (c) => c.notNull())
      .addColumn('findings', 'text', (c) => c.notNull())
      .addColumn('parent_id', 'text')
      .addColumn('approval_required', 'integer', (c) => c.notNull())
      .addColumn('decided_by', 'text')
      .addColumn('decided_at', 'double precision')
      .addColumn('applied_to', 'text')
      .execute();
    await db.schema.createIndex('intents_created').on('intents').column('created_at').execute();
  },
};

const latestStateMigration: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('latest_state')
      .addColumn('run_id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'double precision', (c) => c.notNull())
      .addColumn('updated_at', 'double precision', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('latest_state_updated').on('latest_state').column('updated_at').execute();
  },
};

const loopApprovalsMigration: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('loop_approvals')
      .addColumn('approval_id', 'text', (c) => c.primaryKey())
      .addColumn('loop_id', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('term', 'bigint', (c) => c.notNull())
      .addColumn('queued_at', 'double precision', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('loop_approvals_loop_target').on('loop_approvals').columns(['loop_id', 'target']).execute();
    await db.schema
      .createTable('approval_claims')
      .addColumn('approval_id', 'text', (c) => c.primaryKey())
      .addColumn('loop_id', 'text', (c) => c.notNull())
      .addColumn('term', 'bigint', (c) => c.notNull())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('claimed_at', 'double precision', (c) => c.notNull())
      .addColumn('outcome', 'text')
      .execute();
  },
};

/** In-code provider: migrations ship inside the bundle, no folder scanning at runtime. */
export class KnowledgeMigrationProvider implements MigrationProvider {
  constructor(private readonly flavor: SqlFlavor) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    // Names sort lexically; never rename or edit a shipped migration, add a new one.
    return {
      '0001_journal': journalMigration(this.flavor),
      '0002_runs': runsMigration,
      '0003_approvals': approvalsMigration,
      '0004_models': modelsMigration(this.flavor),
      '0005_telemetry': telemetryMigration,
      '0006_ha': haMigration,
      '0007_intents': intentsMigration,
      '0008_latest_state': latestStateMigration,
      '0009_loop_approvals': loopApprovalsMigration,
    };
  }
}
