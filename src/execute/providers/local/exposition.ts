/**
 * Prometheus text exposition (format 0.0.4) for the local stack's /metrics endpoints. Hand-written like the twin's:
 * every endpoint renders a moment of state it already keeps, so a client library's mutable registry adds nothing.
 */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = Record<string, string>;
export type MetricType = 'counter' | 'gauge' | 'histogram';

/** Collects metric families; each family writes HELP/TYPE once, then its samples. */
export class Exposition {
  private readonly families: string[][] = [];

  family(name: string, type: MetricType, help: string): (labels: Labels, value: number, suffix?: string) => void {
    const lines = [`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`];
    this.families.push(lines);
    return (labels, value, suffix = '') => lines.push(`${name}${suffix}${formatLabels(labels)} ${formatValue(value)}`);
  }

  render(): string {
    return this.families.map((f) => f.join('\n')).join('\n') + '\n';
  }
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}
