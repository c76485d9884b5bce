/**
 * Facts from a Helm chart: Chart.yaml name and appVersion, and the image of values.yaml
 * (image.repository:image.tag, the tag defaulting to appVersion as chart templates usually do).
 * Templates are not rendered.
 */
import { parse } from 'yaml';
import { z } from 'zod';
import { isImageReference } from './image-ref.js';
import type { Fact, ReaderResult } from './facts.js';

const ChartSchema = z.object({ name: z.string(), appVersion: z.union([z.string(), z.number()]).optional(), version: z.union([z.string(), z.number()]).optional() });
const ValuesSchema = z.object({ image: z.object({ repository: z.string(), tag: z.union([z.string(), z.number()]).optional() }).optional() });

export function readHelmChart(chartText: string, chartFile: string, values?: { file: string; text: string }): ReaderResult {
  const warnings: string[] = [];
  let chart;
  try {
    chart = ChartSchema.safeParse(parse(chartText, { maxAliasCount: 50 }));
  } catch (e) {
    return { facts: [], warnings: [`${chartFile}: not valid YAML (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`] };
  }
  if (!chart.success) return { facts: [], warnings: [`${chartFile}: ${chart.error.issues[0].path.join('.') || '(root)'}: ${chart.error.issues[0].message}`] };
  const at = { origin: 'helm' as const, file: chartFile };
  const facts: Fact[] = [{ ...at, kind: 'name', value: chart.data.name }];
  const appVersion = chart.data.appVersion === undefined ? undefined : String(chart.data.appVersion);
  if (appVersion) facts.push({ ...at, kind: 'version', value: appVersion });
  if (values) {
    try {
      const v = ValuesSchema.safeParse(parse(values.text, { maxAliasCount: 50 }) ?? {});
      const img = v.success ? v.data.image : undefined;
      if (img) {
        const tag = img.tag !== undefined && String(img.tag) !== '' ? String(img.tag) : appVersion;
        const ref = tag ? `${img.repository}:${tag}` : img.repository;
        if (isImageReference(ref)) facts.push({ origin: 'helm', file: values.file, kind: 'image', value: ref });
        else warnings.push(`${values.file}: image.repository/tag is not a valid image reference; ignored`);
      }
    } catch (e) {
      warnings.push(`${values.file}: not valid YAML (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`);
    }
  }
  return { facts, warnings };
}
