import type { KnowledgeDb } from './migrations.js';

/**
 * Stored telemetry: one value per series key and 5-minute bucket, so scheduled retraining can
 * read history back as a regular series. Writes are upserts (re-ingesting a trace is harmless).
 */

export const BUCKET_SECONDS = 300;

export interface StoredSeries {
  /** One value per bucket from the first to the last stored bucket; NaN where none is stored. */
  values: Float64Array;
  /** Seconds of values[0] (bucket × 300; trace seconds for sources without a clock). */
  start: number;
  stepSeconds: number;
}

/** SQLite caps bound parameters per statement; 3 per row. */
const CHUNK = 5000;

export class TelemetryStore {
  constructor(private readonly db: KnowledgeDb) {}

  /** Stores values[i] at bucket firstBucket + i; non-finite values are gaps and are skipped. Returns rows written. */
  async append(seriesKey: string, firstBucket: number, values: ArrayLike<number>): Promise<number> {
    if (!Number.isInteger(firstBucket)) throw new Error(`telemetry: bucket must be an integer, got ${firstBucket}`);
    const rows: { series_key: string; bucket: number; value: number }[] = [];
    for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) rows.push({ series_key: seriesKey, bucket: firstBucket + i, value: values[i] });
    await this.db.transaction().execute(async (trx) => {
      for (let s = 0; s < rows.length; s += CHUNK) {
        await trx
          .insertInto('telemetry')
          .values(rows.slice(s, s + CHUNK))
          .onConflict((oc) => oc.columns(['series_key', 'bucket']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
          .execute();
      }
    });
    return rows.length;
  }

  async keys(): Promise<string[]> {
    const rows = await this.db.selectFrom('telemetry').select('series_key').distinct().orderBy('series_key').execute();
    return rows.map((r) => r.series_key);
  }

  async history(seriesKey: string): Promise<StoredSeries | undefined> {
    const rows = await this.db.selectFrom('telemetry').select(['bucket', 'value']).where('series_key', '=', seriesKey).orderBy('bucket').execute();
    if (rows.length === 0) return undefined;
    const first = Number(rows[0].bucket);
    const values = new Float64Array(Number(rows[rows.length - 1].bucket) - first + 1).fill(NaN);
    for (const r of rows) values[Number(r.bucket) - first] = Number(r.value);
    return { values, start: first * BUCKET_SECONDS, stepSeconds: BUCKET_SECONDS };
  }
}
