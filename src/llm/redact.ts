import { Secret } from './secret.js';

/**
 * Removes secrets from text before it leaves the process in a prompt: log lines, manifests and repository files
 * routinely carry passwords, tokens and keys, and a hosted model provider must never receive them.
 *
 * Rules are ordered: configured literal secrets first (the LLM API key itself, whatever its format), then
 * multi-line private keys, credentials inside URLs, well-known token formats, and last the generic
 * `key=value` / `"key": "value"` forms. Each match becomes `[REDACTED:<kind>]`, so the model still sees that a
 * value was there (a diagnosis can say "the password was rejected") without seeing it.
 *
 * The rules favour over-redaction: a word after `token:` in prose is lost, which costs little; a leaked key costs a
 * rotation. Every pattern is linear (no nested quantifiers), since log lines are attacker-controlled input.
 */

export const REDACTED_PREFIX = '[REDACTED:';

const placeholder = (kind: string): string => `${REDACTED_PREFIX}${kind}]`;

interface Rule {
  kind: string;
  pattern: RegExp;
  /** Builds the replacement from the match groups; by default the whole match is replaced. */
  replace?: (kind: string, groups: readonly string[]) => string | undefined;
}

/**
 * Key names whose value is a secret. `token(?!s)` keeps `max_tokens=100` and `prompt_tokens` readable; the
 * bounded affixes keep matching linear on long runs of word characters (a base64 blob in a log line).
 */
const SECRET_KEY =
  String.raw`[A-Za-z0-9_.-]{0,40}(?:password|passwd|passphrase|secret|token(?!s)|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|session[_-]?key|auth[_-]?key|client[_-]?secret)[A-Za-z0-9_.-]{0,40}|pwd`;

/** Keys that name or point to a secret rather than hold one (`secretName`, `passwordFile`, `token_type`). */
const REFERENCE_KEY = /(?:name|ref|file|path|type|length|ttl|expiry|expires(?:_?at)?|count|url|endpoint)$/i;

/** A value: a quoted string, or a run of characters up to a separator. Never an earlier placeholder. */
const VALUE = String.raw`(?!["']?\[REDACTED:)("(?:[^"\\\n]|\\.){1,4096}"|'[^'\n]{1,4096}'|[^\s,;&'"<>{}()\[\]]{1,4096})`;

export const DEFAULT_RULES: readonly Rule[] = [
  {
    kind: 'private-key',
    // PEM and PGP blocks; a block cut off by a truncated log line is redacted to the end of the text.
    pattern: /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|[\s\S]*$)/g,
  },
  {
    kind: 'url-password',
    // scheme://user:password@host — keep scheme, user and host so the connection target stays visible.
    pattern: /\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s:@/]{0,256}):([^\s@/]{1,1024})@/gi,
    replace: (kind, g) => (g[2].startsWith(REDACTED_PREFIX) ? undefined : `${g[0]}${g[1]}:${placeholder(kind)}@`),
  },
  { kind: 'private-key', pattern: /\bPuTTY-User-Key-File-\d: [\s\S]*?Private-MAC: [0-9a-f]+/g },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g },
  {
    kind: 'authorization',
    pattern: /\b(authorization|proxy-authorization|x-api-key|api-key)(["']?\s*[:=]\s*["']?)(?:(bearer|basic|token|digest|negotiate|aws4-hmac-sha256)\s+)?([^\s"',;]{1,4096})/gi,
    replace: (kind, g) => (g[3].startsWith(REDACTED_PREFIX) ? undefined : `${g[0]}${g[1]}${g[2] ? g[2] + ' ' : ''}${placeholder(kind)}`),
  },
  {
    kind: 'bearer-token',
    // Long tokens, or shorter ones with a digit, so "the bearer of bad news" survives.
    pattern: /\b(bearer)\s+(?!\[REDACTED:)(?:[A-Za-z0-9\-._~+/]{16,}|(?=[A-Za-z\-._~+/]{0,64}\d)[A-Za-z0-9\-._~+/]{8,})=*/gi,
    replace: (kind, g) => `${g[0]} ${placeholder(kind)}`,
  },
  { kind: 'aws-access-key', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b/g },
  {
    kind: 'aws-secret-key',
    pattern: /\b(aws_?secret_?access_?key|aws_?secret_?key|secretaccesskey)(["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    replace: (kind, g) => `${g[0]}${g[1]}${placeholder(kind)}`,
  },
  { kind: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { kind: 'gitlab-token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/g },
  { kind: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g },
  {
    kind: 'api-key',
    // OpenAI/Anthropic-style sk-…, Stripe, Google, npm, Hugging Face.
    pattern: /\b(?:sk-(?:proj-|ant-|svcacct-)?[A-Za-z0-9_-]{20,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35}|npm_[A-Za-z0-9]{36}|hf_[A-Za-z0-9]{30,})(?![A-Za-z0-9_-])/g,
  },
  {
    kind: 'secret-flag',
    // Command lines: --password hunter2, --db-token=abc
    pattern: /(--?[A-Za-z0-9-]{0,40}(?:password|passwd|token(?!s)|secret|api-?key)[A-Za-z0-9-]{0,40})(=|\s+)(?!-|\[REDACTED:)([^\s"']{1,4096}|"[^"\n]{0,4096}"|'[^'\n]{0,4096}')/gi,
    replace: (kind, g) => `${g[0]}${g[1]}${placeholder(kind)}`,
  },
  {
    kind: 'secret-value',
    // key=value, key: value, "key": "value", KEY="value", Password=x; in connection strings.
    pattern: new RegExp(String.raw`(["']?)\b(${SECRET_KEY})\b\1(\s*[:=]\s*)` + VALUE, 'gi'),
    replace: (kind, g) => {
      if (REFERENCE_KEY.test(g[1])) return undefined;
      const v = g[3];
      const quote = v.startsWith('"') ? '"' : v.startsWith("'") ? "'" : '';
      return `${g[0]}${g[1]}${g[0]}${g[2]}${quote}${placeholder(kind)}${quote}`;
    },
  },
];

export interface RedactorOptions {
  /** Extra patterns from the configuration (regular-expression sources or RegExps); matches become `[REDACTED:custom]`. */
  extraPatterns?: readonly (string | RegExp)[];
  /** Exact secret values to remove wherever they appear (the configured API key, tokens the caller knows of). */
  literals?: readonly (string | Secret | undefined)[];
}

export interface RedactionResult {
  text: string;
  /** How many values of each kind were removed: journaled, so a reviewer knows a prompt was scrubbed. */
  counts: Record<string, number>;
}

/** Literals shorter than this are not redacted: replacing every "a" would destroy the text and protect nothing. */
const MIN_LITERAL = 6;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Redactor {
  /** #private: the literal rules embed the secrets themselves, and `util.inspect` must not show them. */
  readonly #rules: Rule[];

  constructor(options: RedactorOptions = {}) {
    const literals = new Set<string>();
    for (const l of options.literals ?? []) {
      const v = l instanceof Secret ? l.reveal() : l;
      if (v === undefined || v.length < MIN_LITERAL) continue;
      literals.add(v);
      literals.add(encodeURIComponent(v));
      literals.add(JSON.stringify(v).slice(1, -1));
    }
    const literalRules: Rule[] = [...literals]
      .sort((a, b) => b.length - a.length)
      .map((v) => ({ kind: 'configured-secret', pattern: new RegExp(escapeRegExp(v), 'g') }));
    const extra: Rule[] = (options.extraPatterns ?? []).map((p) => ({ kind: 'custom', pattern: toGlobal(p) }));
    this.#rules = [...literalRules, ...DEFAULT_RULES, ...extra];
  }

  redact(text: string): string {
    return this.redactWithCounts(text).text;
  }

  redactWithCounts(text: string): RedactionResult {
    const counts: Record<string, number> = {};
    let out = text;
    for (const rule of this.#rules) {
      rule.pattern.lastIndex = 0;
      out = out.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
        // String.replace passes the groups, then the offset and the input, then named groups when there are any.
        const tail = typeof rest[rest.length - 1] === 'object' && rest[rest.length - 1] !== null ? 3 : 2;
        const groups = rest.slice(0, rest.length - tail).map((r) => (typeof r === 'string' ? r : ''));
        const replaced = rule.replace ? rule.replace(rule.kind, groups) : placeholder(rule.kind);
        if (replaced === undefined) return match;
        counts[rule.kind] = (counts[rule.kind] ?? 0) + 1;
        return replaced;
      });
    }
    return { text: out, counts };
  }
}

function toGlobal(p: string | RegExp): RegExp {
  if (typeof p === 'string') return new RegExp(p, 'g');
  return p.flags.includes('g') ? new RegExp(p.source, p.flags) : new RegExp(p.source, p.flags + 'g');
}

/** Checks a configured pattern compiles; returns the error message or undefined. Used by config validation. */
export function patternError(source: string): string | undefined {
  try {
    new RegExp(source, 'g');
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Adds counts of two redaction passes (one per message of a prompt). */
export function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}
