/**
 * Reading the LogHub-2k layout: header-format splitting of raw lines into `Content`, and
 * the corrected ground truth. Formats are LogHub's own `log_format` strings (structural
 * input, not tuning); the data README's table wins over the built-in copy when present.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

/** LogHub benchmark `log_format` strings (logpai/loghub-2.0 benchmark settings). */
export const LOGHUB_FORMATS: Readonly<Record<string, string>> = {
  HDFS: '<Date> <Time> <Pid> <Level> <Component>: <Content>',
  Hadoop: '<Date> <Time> <Level> \\[<Process>\\] <Component>: <Content>',
  Spark: '<Date> <Time> <Level> <Component>: <Content>',
  Zookeeper: '<Date> <Time> - <Level>  \\[<Node>:<Component>@<Id>\\] - <Content>',
  BGL: '<Label> <Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type> <Component> <Level> <Content>',
  HPC: '<LogId> <Node> <Component> <State> <Time> <Flag> <Content>',
  Thunderbird: '<Label> <Timestamp> <Date> <User> <Month> <Day> <Time> <Location> <Component>(\\[<PID>\\])?: <Content>',
  Windows: '<Date> <Time>, <Level>                  <Component>    <Content>',
  Linux: '<Month> <Date> <Time> <Level> <Component>(\\[<PID>\\])?: <Content>',
  Android: '<Date> <Time>  <Pid>  <Tid> <Level> <Component>: <Content>',
  HealthApp: '<Time>\\|<Component>\\|<Pid>\\|<Content>',
  Apache: '\\[<Time>\\] \\[<Level>\\] <Content>',
  Proxifier: '\\[<Time>\\] <Program> - <Content>',
  OpenSSH: '<Date> <Day> <Time> <Component> sshd\\[<Pid>\\]: <Content>',
  OpenStack: '<Logrecord> <Date> <Time> <Pid> <Level> <Component> \\[<ADDR>\\] <Content>',
  Mac: '<Month>  <Date> <Time> <User> <Component>\\[<PID>\\]( \\(<Address>\\))?: <Content>',
};

/**
 * Compile a LogHub format into a regex the way logpai's `generate_logformat_regex` does:
 * every run of spaces matches `\s+`, each `<Field>` is a lazy group, anchored both ends.
 */
export function compileLogFormat(format: string): { re: RegExp; fields: string[] } {
  const parts = format.split(/(<[^<>]+>)/);
  const fields: string[] = [];
  let src = '';
  for (let k = 0; k < parts.length; k++) {
    if (k % 2 === 0) src += parts[k].replace(/ +/g, '\\s+');
    else {
      const f = parts[k].slice(1, -1);
      fields.push(f);
      src += `(?<${f.replace(/\W/g, '_')}>.*?)`;
    }
  }
  return { re: new RegExp(`^${src}$`), fields };
}

/** Content of one raw line, or null when the header does not match (logpai skips those). */
export function extractContent(line: string, re: RegExp): string | null {
  const m = re.exec(line.trim());
  return m?.groups?.Content ?? null;
}

/** Formats listed in the data README's "Header formats" table, if any. */
export function formatsFromReadme(readme: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of readme.split(/\r?\n/)) {
    const m = /^\|\s*([A-Za-z0-9_-]+)\s*\|\s*`([^`]*<Content>[^`]*)`\s*\|\s*$/.exec(row);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

export interface LoghubSystem {
  name: string;
  /** Raw lines, file order. */
  lines: string[];
  /** Header-stripped messages, one per line (empty string when the header did not match). */
  contents: string[];
  /** Corrected ground-truth templates, or null when the corrected file is missing. */
  truth: string[] | null;
  /** Ground-truth `Content` column, to check the header splitter. */
  truthContent: string[] | null;
}

function readCsv(path: string): Record<string, string>[] {
  return parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];
}

/** Template column of a LogHub structured/predicted CSV, in row order. */
export function readTemplateColumn(path: string, column = 'EventTemplate'): string[] {
  return readCsv(path).map((r) => r[column] ?? '');
}

/** Systems (folders with `<S>/<S>_2k.log`) under a LogHub-2k root, sorted by name. */
export function listSystems(root: string): string[] {
  return readdirSync(root)
    .filter((d) => statSync(join(root, d)).isDirectory() && existsSync(join(root, d, `${d}_2k.log`)))
    .sort();
}

export function loadSystem(root: string, name: string, format?: string): LoghubSystem {
  const readme = existsSync(join(root, 'README.md')) ? formatsFromReadme(readFileSync(join(root, 'README.md'), 'utf8')) : {};
  const fmt = format ?? readme[name] ?? LOGHUB_FORMATS[name];
  if (!fmt) throw new Error(`no log format known for system ${name}`);
  const { re } = compileLogFormat(fmt);
  const raw = readFileSync(join(root, name, `${name}_2k.log`), 'utf8').split(/\r?\n/);
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  const contents = raw.map((l) => extractContent(l, re) ?? '');
  const corrected = join(root, name, `${name}_2k.log_structured_corrected.csv`);
  let truth: string[] | null = null;
  let truthContent: string[] | null = null;
  if (existsSync(corrected)) {
    const rows = readCsv(corrected);
    truth = rows.map((r) => r.EventTemplate ?? '');
    truthContent = rows.map((r) => r.Content ?? '');
  }
  return { name, lines: raw, contents, truth, truthContent };
}
