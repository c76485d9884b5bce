/**
 * Shared output for every benchmark suite: a table for people, or exactly one JSON object
 * `{suite, data, rows, summary}` on stdout for machines (progress goes to stderr).
 */
export type Row = Record<string, string | number | boolean | null>;

export interface BenchResult {
  suite: string;
  /** The data folder the suite ran on, or null for synthetic suites. */
  data: string | null;
  rows: Row[];
  summary: Record<string, unknown>;
}

export interface BenchArgs {
  json: boolean;
  data: string | null;
  /** Remaining flags as `--name value` or `--flag` (true). */
  flags: Map<string, string | true>;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    const [k, inline] = a.slice(2).split('=', 2);
    if (inline !== undefined) flags.set(k, inline);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags.set(k, argv[++i]);
    else flags.set(k, true);
  }
  const data = flags.get('data');
  return { json: flags.get('json') === true, data: typeof data === 'string' ? data : null, flags };
}

export function formatTable(rows: Row[]): string {
  if (rows.length === 0) return '(no rows)';
  const cols = Object.keys(rows[0]);
  const cell = (v: Row[string]) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : String(v ?? ''));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join('  ');
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

export function printResult(r: BenchResult, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  process.stdout.write(`suite: ${r.suite}${r.data ? `  data: ${r.data}` : ''}\n\n${formatTable(r.rows)}\n\nsummary: ${JSON.stringify(r.summary, null, 2)}\n`);
}

/** Progress for long suites, on stderr so `--json` stdout stays clean. */
export function progress(msg: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${msg}`);
  else process.stderr.write(msg + '\n');
}
