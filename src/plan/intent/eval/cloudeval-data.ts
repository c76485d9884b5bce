/**
 * Reads the CloudEval-YAML Kubernetes layout (../shared/data/iac-bench/cloudeval-yaml-k8s) straight
 * from its password-protected zips: the authors ask that the cases never sit unzipped on disk, and
 * `unzip` is not installed everywhere, so adm-zip (which does ZipCrypto) reads them in memory.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { z } from 'zod';

/** Published by upstream in its own loader; not a secret. */
const ZIP_PASSWORD = 'B805ED0EBFD8';

export const CloudEvalCaseSchema = z.object({
  id: z.string(),
  category: z.string(),
  question: z.string(),
  question_simplified: z.string(),
  question_translated_zh: z.string().optional(),
  question_simplified_translated_zh: z.string().optional(),
  reference_yaml: z.string(),
});
export type CloudEvalCase = z.infer<typeof CloudEvalCaseSchema>;

export const MetricVectorSchema = z.object({
  case_id: z.string(),
  variant: z.string(),
  candidate_yaml: z.string(),
  // Upstream returns Python False (not 0) on some failure paths; the JSON keeps that.
  kv_exact: z.union([z.number(), z.boolean()]).transform(Number),
  kv_wildcard: z.union([z.number(), z.boolean()]).transform(Number),
});
export type MetricVector = z.infer<typeof MetricVectorSchema>;

function readZippedJsonl<T>(zipPath: string, entry: string, schema: z.ZodType<T, unknown>): T[] {
  const zip = new AdmZip(zipPath);
  const e = zip.getEntry(entry);
  if (!e) throw new Error(`${zipPath} has no ${entry}`);
  const text = e.getData(ZIP_PASSWORD).toString('utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => schema.parse(JSON.parse(l)));
}

export function cloudEvalAvailable(dir: string): boolean {
  return existsSync(join(dir, 'cases.zip'));
}

export function loadCloudEvalCases(dir: string): CloudEvalCase[] {
  return readZippedJsonl(join(dir, 'cases.zip'), 'cases.jsonl', CloudEvalCaseSchema);
}

export function loadMetricVectors(dir: string): MetricVector[] {
  return readZippedJsonl(join(dir, 'metric-vectors.zip'), 'metric-vectors.jsonl', MetricVectorSchema);
}
