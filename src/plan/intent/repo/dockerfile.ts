/**
 * Facts from a Dockerfile: the final stage's base image (FROM, following stage aliases and ARG
 * defaults), and what that stage declares: EXPOSE, ENV, HEALTHCHECK, USER, CMD/ENTRYPOINT. Comments
 * are dropped before anything is read, so text in them can never become a fact. No Dockerfile
 * parser is a dependency here, and the subset needed (continuations, quoting, $VAR) is small.
 */
import { healthUrlFromCommand } from './health-url.js';
import { isImageReference } from './image-ref.js';
import { type Fact, type ReaderResult } from './facts.js';

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  from: string;
  alias?: string;
  line: number;
  body: Instruction[];
}

export function readDockerfile(text: string, file: string): ReaderResult {
  const { instructions, escape } = parseInstructions(text);
  const words = (a: string): string[] => splitWords(a, escape);
  const warnings: string[] = [];
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const w = words(ins.args).filter((x) => !x.startsWith('--'));
      const alias = w[1]?.toUpperCase() === 'AS' ? w[2] : undefined;
      stages.push({ from: substitute(w[0] ?? '', globalArgs), alias: alias?.toLowerCase(), line: ins.line, body: [] });
    } else if (stages.length === 0) {
      if (ins.keyword === 'ARG') for (const [k, v] of assignments(ins.args, escape)) if (v !== undefined) globalArgs.set(k, v);
    } else stages[stages.length - 1].body.push(ins);
  }
  if (stages.length === 0) return { facts: [], warnings: [`${file}: no FROM instruction`] };

  // The final stage, and the stages it is built FROM by alias (their ENV/EXPOSE/USER carry over).
  const chain: Stage[] = [];
  let stage: Stage | undefined = stages[stages.length - 1];
  while (stage && !chain.includes(stage)) {
    chain.unshift(stage);
    const from: string = stage.from.toLowerCase();
    stage = stages.find((s) => s.alias === from && s !== stage);
  }
  const base = chain[0];
  const facts: Fact[] = [];
  const at = (line: number) => ({ origin: 'dockerfile' as const, file, line });
  if (isImageReference(base.from)) facts.push({ ...at(base.line), kind: 'base-image', value: base.from });
  else warnings.push(`${file}:${base.line}: the FROM image is not a valid image reference; ignored`);

  const vars = new Map(globalArgs);
  let user: Fact | undefined;
  let health: Fact | undefined;
  let start: Fact | undefined;
  for (const ins of chain.flatMap((s) => s.body)) {
    switch (ins.keyword) {
      case 'ARG':
      case 'ENV':
        for (const [k, v] of assignments(ins.args, escape, ins.keyword === 'ENV')) {
          if (v !== undefined) vars.set(k, substitute(v, vars));
          if (ins.keyword === 'ENV') facts.push({ ...at(ins.line), kind: 'env', name: k, value: v === undefined ? undefined : substitute(v, vars) });
        }
        break;
      case 'EXPOSE':
        for (const w of words(ins.args)) {
          const ports = exposed(substitute(w, vars));
          if (ports.length === 0) warnings.push(`${file}:${ins.line}: an EXPOSE value is not a port; ignored`);
          for (const p of ports) facts.push({ ...at(ins.line), kind: 'port', ...p });
        }
        break;
      case 'USER': {
        const u = substitute(words(ins.args)[0] ?? '', vars);
        if (/^[A-Za-z0-9._-]+(:[A-Za-z0-9._-]+)?$/.test(u)) user = { ...at(ins.line), kind: 'user', value: u };
        break;
      }
      case 'HEALTHCHECK': {
        const cmd = healthCommand(ins.args);
        if (cmd === null) health = undefined;
        else if (cmd !== undefined) {
          const url = healthUrlFromCommand(substitute(cmd, vars));
          health = url ? { ...at(ins.line), kind: 'health', ...url } : undefined;
        }
        break;
      }
      case 'CMD':
      case 'ENTRYPOINT': {
        const c = commandText(ins.args);
        if (c) start = { ...at(ins.line), kind: 'start', value: c.slice(0, 500) };
        break;
      }
    }
  }
  for (const f of [user, health, start]) if (f) facts.push(f);
  return { facts, warnings };
}

/** Logical lines: comments removed, backslash continuations joined, keyword upper-cased. */
function parseInstructions(text: string): { instructions: Instruction[]; escape: string } {
  const lines = text.split(/\r?\n/);
  const escape = /^#\s*escape\s*=\s*`/i.test(lines[0] ?? '') ? '`' : '\\';
  const out: Instruction[] = [];
  let buf = '';
  let startLine = 0;
  lines.forEach((raw, i) => {
    if (/^\s*#/.test(raw)) return; // comment (also inside a continuation): data, never read
    if (buf === '' && raw.trim() === '') return;
    if (buf === '') startLine = i + 1;
    const trimmed = raw.replace(/\s+$/, '');
    if (trimmed.endsWith(escape)) {
      buf += trimmed.slice(0, -1) + ' ';
      return;
    }
    buf += trimmed;
    const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(buf);
    if (m) out.push({ keyword: m[1].toUpperCase(), args: m[2].trim(), line: startLine });
    buf = '';
  });
  return { instructions: out, escape };
}

/** Whitespace-separated words, honouring double/single quotes and the escape character. */
function splitWords(s: string, escape: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === escape && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === escape && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}

/** KEY=value pairs of ENV/ARG; the legacy `ENV KEY value with spaces` form too. */
function assignments(args: string, escape: string, legacy = false): [string, string | undefined][] {
  const words = splitWords(args, escape);
  if (legacy && words.length > 0 && !words[0].includes('=')) {
    const rest = args.slice(args.indexOf(words[0]) + words[0].length).trim();
    return [[words[0], rest === '' ? undefined : splitWords(rest, escape).join(' ')]];
  }
  const out: [string, string | undefined][] = [];
  for (const w of words) {
    const eq = w.indexOf('=');
    const key = eq < 0 ? w : w.slice(0, eq);
    if (/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) out.push([key, eq < 0 ? undefined : w.slice(eq + 1)]);
  }
  return out;
}

/** $VAR, ${VAR}, ${VAR:-default} from the known ARG/ENV values; unknown variables stay as written. */
function substitute(s: string, vars: ReadonlyMap<string, string>): string {
  return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, a: string | undefined, def: string | undefined, b: string | undefined) => {
    const v = vars.get((a ?? b)!);
    return v !== undefined && v !== '' ? v : def !== undefined ? def : whole;
  });
}

function exposed(word: string): { port: number; protocol: 'TCP' | 'UDP' }[] {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp))?$/i.exec(word);
  if (!m) return [];
  const protocol = m[3]?.toLowerCase() === 'udp' ? 'UDP' : 'TCP';
  const from = Number(m[1]);
  const to = m[2] ? Number(m[2]) : from;
  if (from < 1 || to > 65535 || to < from || to - from > 15) return [];
  return Array.from({ length: to - from + 1 }, (_, i) => ({ port: from + i, protocol }));
}

/** The command of HEALTHCHECK [OPTIONS] CMD …; null for HEALTHCHECK NONE. */
function healthCommand(args: string): string | undefined | null {
  if (/^NONE\b/i.test(args)) return null;
  const m = /(?:^|\s)CMD\s+(.*)$/is.exec(args);
  return m ? commandText(m[1]) : undefined;
}

/** A CMD in exec form (JSON array) or shell form, as one line of text. */
function commandText(args: string): string | undefined {
  const t = args.trim();
  if (t.startsWith('[')) {
    try {
      const arr: unknown = JSON.parse(t);
      if (Array.isArray(arr) && arr.every((x) => typeof x === 'string')) return arr.join(' ');
    } catch {
      // not valid JSON: Docker runs it in shell form
    }
  }
  return t || undefined;
}
