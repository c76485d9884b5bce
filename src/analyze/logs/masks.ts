/**
 * Input hygiene and variable masking for the template miner.
 *
 * Masking runs in two passes. Whole-text patterns (timestamps, URLs, UUIDs, IPs, MACs, host
 * names, hex literals, paths) are replaced first because their internal punctuation or
 * spaces would otherwise be split into many pieces. Then each whitespace token is cut at
 * punctuation into pieces and each piece is classified: `strong` variables (numbers, hex
 * ids, long digit runs, boolean and null literals) are always `<*>`; `weak` ones (words
 * containing a digit, like `ssh2` or `u0`, and units after a number) are masked for
 * grouping but printed as constants when every message of the template agrees.
 */

/** Internal wildcard: a control char that sanitize() guarantees never appears in input. */
export const WILDCARD = '\u0001';
export const WILDCARD_TEXT = '<*>';

/** Bound on one line's length: huge lines are truncated so one message cannot stall the loop. */
export const MAX_LINE_CHARS = 4096;

/**
 * Make any input safe to tokenise: drop control chars (incl. our wildcard marker), replace
 * lone surrogates and U+FFFD runs, and truncate to `maxChars`.
 */
export function sanitize(line: unknown, maxChars: number = MAX_LINE_CHARS): string {
  let s = typeof line === 'string' ? line : line instanceof Uint8Array ? Buffer.from(line).toString('utf8') : String(line ?? '');
  if (s.length > maxChars) s = s.slice(0, maxChars);
  // Lone surrogates break JSON/regex consumers downstream.
  s = s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\ufffd');
  // eslint-disable-next-line no-control-regex
  s = s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').replace(/\ufffd+/g, '\ufffd');
  return s.replace(/[\t\r\n]+/g, ' ').trim();
}

export interface MaskPattern {
  name: string;
  re: RegExp;
}

/** English month and weekday names, full or abbreviated, as timestamps write them. */
const MONTH = '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const WEEKDAY = '(?:Mon|Tue(?:s)?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?';

/**
 * Whole-text patterns, most specific first. Boundaries are written with lookarounds so a
 * pattern never eats into a neighbouring word.
 */
export const TEXT_MASKS: readonly MaskPattern[] = [
  // Calendar timestamps span several tokens (`Fri Jun 17 07:07:00 2005`, `2017-05-16 00:00:01.5`)
  // whose month and weekday names would otherwise read as constant words. A month and day
  // alone (`Jun 17`) are not enough: a time or a year must follow.
  {
    name: 'datetime',
    re: new RegExp(
      `\\b(?:${WEEKDAY},?\\s+)?${MONTH}\\.?\\s+\\d{1,2}(?:(?:,?\\s+\\d{4})?\\s+\\d{1,2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:\\s+[A-Z]{3,4})?(?:\\s+\\d{4})?|,?\\s+\\d{4})\\b`,
      'g',
    ),
  },
  { name: 'clfdate', re: new RegExp(`\\b\\d{1,2}/${MONTH}/\\d{4}(?::\\d{2}:\\d{2}:\\d{2})?(?:\\s+[+-]\\d{4})?`, 'g') },
  { name: 'isodate', re: /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g },
  { name: 'url', re: /\b[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s"'<>]+/g },
  { name: 'uuid', re: /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g },
  { name: 'mac', re: /\b(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}\b/g },
  { name: 'ipv6', re: /(?<![\w:])(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}(?![\w:])/g },
  { name: 'ipv4', re: /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])/g },
  // Host names: dotted labels ending in a registry suffix. Reversed-domain Java/Android
  // package names (com.foo.Bar, android.intent...) start with such a suffix and are spared.
  {
    name: 'host',
    re: /(?<![\w.\-/])(?!(?:com|org|net|io|android|java|javax|edu)\.)(?:[a-zA-Z0-9](?:[\w-]*[a-zA-Z0-9])?\.)+(?:com|net|org|edu|gov|mil|int|io|info|biz|local|localdomain|lan|internal|[a-z]{2})(?![\w.\-])/g,
  },
  { name: 'hex', re: /(?<![\w])0[xX][0-9a-fA-F]+\b/g },
  // A path starts at a non-word boundary and has at least one `/x` segment; `a/b` inside a
  // word (host/ip, HTTP/1.1) is left to the piece classifier. A query string belongs to the resource it follows (`/servers/detail?all_tenants=True`).
  { name: 'path', re: /(?<![\w.\-/])(?:~|\.{1,2})?(?:\/[\w.\-@%+~$]+)+\/?(?:\?[^\s"'<>]*)?/g },
  // Windows paths (`C:\Windows\x.dll`) are paths too.
  { name: 'winpath', re: /(?<![\w])[A-Za-z]:\\[^\s"'<>|]*/g },
];

/** Characters that separate pieces inside one whitespace token (kept verbatim in templates). */
export const PIECE_SPLIT = /([=:,;()[\]{}"'|/@#<>*&!?\\]+)/;

const EMPTY_PAIR = /(\(|\[|\{|"|')(\)|\]|\}|"|')/g;

const PAIRS: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}', '"': '"', "'": "'" };

export type PieceKind = 'delim' | 'const' | 'weak' | 'strong';

const NUMBER = /^[-+]?(?:\d+[.,_]?)*\d+(?:[eE][-+]?\d+)?$/;
const NUMBER_UNIT = /^[-+]?\d+(?:\.\d+)?(?:[a-zA-Z%]{1,3})$/;
const HEXID = /^[0-9a-fA-F]+$/;
// Literals of booleans and null (Khan et al.'s list plus Go's nil and JS's undefined). `none`
// stays a word: it is English and an SSH auth method name.
const KEYWORD_VARS = new Set(['true', 'false', 'null', 'nil', 'undefined']);

/** Classify one piece (a maximal run of non-separator chars). */
export function classifyPiece(p: string): PieceKind {
  if (p.length === 0) return 'delim';
  if (p.includes(WILDCARD)) return 'strong';
  if (NUMBER.test(p) || NUMBER_UNIT.test(p)) return 'strong';
  if (KEYWORD_VARS.has(p.toLowerCase())) return 'strong';
  const digits = /\d/.test(p);
  // Eight or more hex digits are an id or mask even without a decimal digit (`ffffffff`);
  // English words of that length never use only the letters a-f.
  if (!digits) return HEXID.test(p) && p.length >= 8 ? 'strong' : 'const';
  // Hex ids (commit hashes, object addresses) and long digit runs (block/job ids) are ids.
  if (HEXID.test(p) && p.length >= 6) return 'strong';
  if (/\d{4,}/.test(p)) return 'strong';
  return 'weak';
}

/** Apply the whole-text masks. */
export function maskText(s: string): string {
  let out = s;
  for (const m of TEXT_MASKS) out = out.replace(m.re, WILDCARD);
  return out;
}

export interface Token {
  /** The token as written (after whole-text masks). */
  raw: string;
  /** Strong variables masked: what the template shows at most. */
  strong: string;
  /** Strong and weak variables masked: the grouping key. */
  key: string;
  /** True when nothing constant is left once masked (the token is all variable). */
  allVar: boolean;
}

/** Split a whitespace token into pieces and mask them. */
export function maskToken(raw: string): Token {
  const parts = raw.split(PIECE_SPLIT);
  let strong = '';
  let key = '';
  let allVar = true;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (i % 2 === 1) {
      strong += p;
      // An empty bracket or quote pair (`()`, `""`) is an empty value of the parameter that
      // usually stands there, so it groups like one.
      key += p.replace(EMPTY_PAIR, (m: string, open: string, close: string) => (PAIRS[open] === close ? open + WILDCARD + close : m));
      continue;
    }
    const k = classifyPiece(p);
    if (k === 'delim') continue;
    if (k === 'strong') {
      strong += WILDCARD;
      key += WILDCARD;
    } else if (k === 'weak') {
      strong += p;
      key += WILDCARD;
    } else {
      strong += p;
      key += p;
      allVar = false;
    }
  }
  // Glued variables collapse the way the corrected ground truth writes them (`<*>.<*>` -> `<*>`),
  // and a leading slash glued to a variable is part of it (`/10.0.0.1:80` is an address
  // written path-style, not a constant `/`).
  const lead = (x: string) => (x.startsWith('/' + WILDCARD) ? x.slice(1) : x);
  return { raw, strong: lead(collapseWildcards(strong)), key: lead(collapseWildcards(key)), allVar: allVar && key.includes(WILDCARD) };
}

/** `<*><*>` and `<*>.<*>` collapse to `<*>`, repeated until stable (Khan et al. rules). */
export function collapseWildcards(s: string): string {
  let prev = '';
  let cur = s;
  while (prev !== cur) {
    prev = cur;
    cur = cur.replace(/\u0001\.\u0001/g, WILDCARD).replace(/\u0001\u0001+/g, WILDCARD);
  }
  return cur;
}

/** Units of measure: after a number they belong to the quantity, not to the event. */
const UNITS = new Set(
  'b B byte bytes KB kB MB GB TB KiB MiB GiB TiB bps Kbps Mbps Gbps ms us ns s sec secs second seconds min mins minute minutes h hr hrs hour hours day days %'.split(' '),
);

/**
 * A unit written as its own token after a number (`1.16 KB`, `<1 sec`) is a weak variable:
 * it groups with the number, so `0 bytes` and `1190 bytes (1.16 KB)` are one parameter
 * slot, but it still prints when every message agrees.
 */
function absorbUnit(prev: Token, t: Token): Token {
  if (!prev.allVar || !prev.strong.endsWith(WILDCARD)) return t;
  const parts = t.raw.split(PIECE_SPLIT);
  const words = parts.filter((p, i) => i % 2 === 0 && p !== '');
  if (words.length !== 1 || !UNITS.has(words[0])) return t;
  const key = parts.map((p, i) => (i % 2 === 0 && p !== '' ? WILDCARD : p)).join('');
  return { raw: t.raw, strong: t.strong, key, allVar: true };
}

/** Sanitize, mask and tokenise one message (bytes are decoded as UTF-8, bad sequences replaced). */
export function tokenize(content: string | Uint8Array): Token[] {
  const text = maskText(sanitize(content));
  if (text.length === 0) return [];
  const tokens = text.split(/\s+/).filter((t) => t.length > 0).map(maskToken);
  for (let i = 1; i < tokens.length; i++) tokens[i] = absorbUnit(tokens[i - 1], tokens[i]);
  return tokens;
}

/** Render an internal template (wildcard markers) for people and evaluators. */
export function renderTemplate(s: string): string {
  return s.split(WILDCARD).join(WILDCARD_TEXT);
}
