/**
 * Shared output for every benchmark suite: a table for people, or exactly one JSON object
 * `{suite, data, rows, summary}` on stdout for machines (progress goes to stderr).
 */
import { formatTable, type TableRow } from '../../src/interfaces/cli/format.js';

export type Row = TableRow;
export { formatTable };

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
