import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Alias, Document, Node as YamlNode } from 'yaml';
import { UserError } from './errors.js';

/**
 * YAML configuration files (guardrail policies, remediation playbooks) validated by a zod schema. Errors are
 * UserErrors located as `file:line:col: field.path`, pointing at the offending value (or key, for unknown keys)
 * so the user can jump straight to it.
 */

/** Read a config file; a missing or unreadable file is a UserError naming it (`what`: "policy file", ...). */
export function readConfigFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${what} not found` : `cannot read ${what} (${code ?? String(e)})`, path);
  }
}

/** A parsed YAML document plus a way to turn a zod path into `file:line:col` (for checks beyond the schema). */
export interface LocatedYaml {
  data: unknown;
  /** `file:line:col` of the node at `path` (the deepest that exists), or of its key with `atKey`. */
  where(path: readonly (string | number)[], atKey?: boolean): string;
}

/** Parse YAML (syntax errors located); an empty document (or only comments) is `{}`. */
export function parseLocatedYaml(text: string, fileName: string): LocatedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${fileName}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new UserError(`YAML syntax error: ${firstLine(e.message)}`, at(e.pos[0]));
  }
  // An undefined alias is not a parse error in yaml, but toJS throws on it: report it like one.
  let badAlias: Alias | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) === undefined) {
        badAlias = alias;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (badAlias) throw new UserError(`YAML syntax error: alias *${badAlias.source} refers to no anchor defined before it`, at(badAlias.range?.[0] ?? 0));
  let data: unknown;
  try {
    data = doc.contents === null ? {} : doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // e.g. an alias bomb exceeding maxAliasCount.
    throw new UserError(`YAML error: ${firstLine(e instanceof Error ? e.message : String(e))}`, `${fileName}:1:1`);
  }
  return {
    data: data ?? {},
    where(path, atKey = false) {
      const node = locate(doc, path, atKey);
      return node?.range ? at(node.range[0]) : `${fileName}:1:1`;
    },
  };
}

/** Parse and validate YAML against `schema`; the first problem leads the error, up to nine more follow. */
export function parseYamlConfig<S extends z.ZodType>(text: string, fileName: string, schema: S): z.output<S> {
  const parsed = parseLocatedYaml(text, fileName);
  const r = schema.safeParse(parsed.data, { reportInput: true });
  if (r.success) return r.data;
  throw located(parsed, r.error.issues);
}

/** A UserError for zod issues over a located document: `loc: field: problem`, one per line. */
export function located(doc: LocatedYaml, issues: readonly z.core.$ZodIssue[]): UserError {
  const shown = issues.slice(0, 10).map((issue) => locateIssue(doc, issue));
  const extra = shown.slice(1).map((l) => `\n${l.loc}: ${l.text}`).join('');
  const unshown = issues.length - shown.length;
  return new UserError(`${shown[0].text}${extra}${unshown > 0 ? `\n(and ${unshown} more)` : ''}`, shown[0].loc);
}

function locateIssue(doc: LocatedYaml, issue: z.core.$ZodIssue): { loc: string; text: string } {
  let path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
  let pointAtKey = false;
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    path = [...path, issue.keys[0]];
    pointAtKey = true;
  }
  const field = path.length > 0 ? path.join('.') : '(top level)';
  return { loc: doc.where(path, pointAtKey), text: `${field}: ${describeIssue(issue)}` };
}

/** Walk the YAML AST along a zod path; stops at the deepest node that exists (e.g. for a missing field). */
function locate(doc: Document, path: readonly (string | number)[], pointAtKey: boolean): YamlNode | undefined {
  let node: unknown = doc.contents;
  let found: YamlNode | undefined = isNodeLike(node) ? node : undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (!pair) return found;
      if (last && pointAtKey && isNodeLike(pair.key)) return pair.key;
      node = pair.value;
      // `key:` with no value has a null value node; point at the key then.
      found = isNodeLike(pair.value) ? pair.value : isNodeLike(pair.key) ? pair.key : found;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      if (!isNodeLike(item)) return found;
      node = item;
      found = item;
    } else return found;
  }
  return found;
}

function isNodeLike(x: unknown): x is YamlNode {
  return isMap(x) || isSeq(x) || isScalar(x);
}

function keyText(k: unknown): string | undefined {
  if (isScalar(k)) return String(k.value);
  return undefined;
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

const NOUNS: Record<string, string> = {
  number: 'a number', int: 'a whole number', string: 'a string', boolean: 'true or false',
  object: 'a mapping', array: 'a list', record: 'a mapping',
};

function describeIssue(issue: z.core.$ZodIssue): string {
  const got = show(issue.input);
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${NOUNS[issue.expected] ?? issue.expected}, got ${got}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} item${Number(issue.minimum) === 1 ? '' : 's'}`;
      return `must be ${issue.inclusive === false ? '>' : '≥'} ${String(issue.minimum)}, got ${got}`;
    case 'too_big':
      if (issue.origin === 'array') return `at most ${String(issue.maximum)} items`;
      return `must be ${issue.inclusive === false ? '<' : '≤'} ${String(issue.maximum)}, got ${got}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
    case 'invalid_union': {
      // A discriminated union (`do: ...`) whose discriminator matched no option: the input is the whole mapping.
      const options = (issue as { options?: unknown }).options;
      const key = (issue as { discriminator?: unknown }).discriminator;
      if (Array.isArray(options) && typeof key === 'string') {
        const value = issue.input !== null && typeof issue.input === 'object' ? (issue.input as Record<string, unknown>)[key] : issue.input;
        return `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${show(value)}`;
      }
      return issue.message;
    }
    default:
      return issue.message;
  }
}
