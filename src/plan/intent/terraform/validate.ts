/**
 * Terraform validation without Terraform: parse each .tf file with @cdktf/hcl2json (HashiCorp's
 * own HCL parser compiled to WASM), then check what `terraform validate` would catch offline —
 * required arguments per resource type, references to undeclared variables, locals, data sources
 * and resources — and run the security/reliability rules over the module.
 */
import { parse } from '@cdktf/hcl2json';
import type { ArtefactFile } from '../artefact.js';
import type { Finding } from '../findings.js';
import { DATA_REQUIRED_ARGUMENTS, KNOWN_WITHOUT_TABLE, NESTED_REQUIRED_ARGUMENTS, REQUIRED_ARGUMENTS, type RequiredArgs } from './required.js';
import type { TfBody, TfConfig } from './rule.js';
import { ALL_TF_RULES } from './rules.js';

export interface ParsedTerraform {
  /** One parsed configuration per .tf file that parsed, by path. */
  config: Map<string, TfConfig>;
  findings: Finding[];
}

/** "parse config: [main.tf:2,7-3,1: Invalid expression; …]" → "line 2, column 7: Invalid expression; …". */
function parseErrorMessage(path: string, e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  const m = /\[?[^\s:[]+:(\d+),(\d+)(?:-\d+(?:,\d+)?)?:\s*([^\]]*)\]?/.exec(raw);
  return m ? `${path} line ${m[1]}, column ${m[2]}: ${m[3].trim()}` : `${path}: ${raw.replace(/^parse config:\s*/, '')}`;
}

export async function parseTerraform(files: readonly ArtefactFile[]): Promise<ParsedTerraform> {
  const config = new Map<string, TfConfig>();
  const findings: Finding[] = [];
  for (const f of files) {
    if (f.kind !== 'terraform' || !f.path.endsWith('.tf')) continue;
    try {
      config.set(f.path, (await parse(f.path, f.content)) as TfConfig);
    } catch (e) {
      findings.push({ ruleId: 'HCL', severity: 'error', source: 'parser', object: f.path, message: parseErrorMessage(f.path, e) });
    }
  }
  return { config, findings };
}

type Blocks = Record<string, Record<string, TfBody[]>>;

/** All files of one module as one configuration (Terraform reads a folder's .tf files together). */
export function mergeConfigs(configs: Iterable<TfConfig>): TfConfig {
  const out: TfConfig = {};
  const nested = (key: 'resource' | 'data') => (out[key] ??= {});
  for (const c of configs) {
    for (const key of ['resource', 'data'] as const) {
      for (const [type, byName] of Object.entries(c[key] ?? {})) {
        const target = (nested(key)[type] ??= {});
        for (const [name, bodies] of Object.entries(byName)) target[name] = [...(target[name] ?? []), ...bodies];
      }
    }
    for (const key of ['provider', 'variable', 'output'] as const) {
      for (const [name, bodies] of Object.entries(c[key] ?? {})) {
        const target = (out[key] ??= {});
        target[name] = [...(target[name] ?? []), ...bodies];
      }
    }
    if (c.terraform) out.terraform = [...(out.terraform ?? []), ...c.terraform];
    if (c.locals) out.locals = [...(out.locals ?? []), ...c.locals];
    const modules = (c as { module?: Record<string, TfBody[]> }).module;
    if (modules) Object.assign(((out as { module?: Record<string, TfBody[]> }).module ??= {}), modules);
  }
  return out;
}

function missing(body: TfBody, req: RequiredArgs): string[] {
  const has = (k: string) => body[k] !== undefined && body[k] !== null;
  const out = [...req.attributes.filter((a) => !has(a)).map((a) => `argument "${a}"`), ...(req.blocks ?? []).filter((b) => !has(b)).map((b) => `block "${b}"`)];
  for (const alternatives of req.oneOf ?? []) if (!alternatives.some(has)) out.push(`one of ${alternatives.map((a) => `"${a}"`).join(', ')}`);
  return out;
}

/** Bodies of the (possibly nested) block at `path` ("initialization.ip_config"), every occurrence. */
function blocksAt(body: TfBody, path: string): TfBody[] {
  let level: TfBody[] = [body];
  for (const key of path.split('.')) {
    level = level.flatMap((b) => {
      const v = b[key];
      const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
      return list.filter((x): x is TfBody => typeof x === 'object' && x !== null && !Array.isArray(x));
    });
  }
  return level;
}

/** Required arguments and blocks of every resource and data source; unknown types as info. */
export function checkRequired(config: TfConfig, file = ''): Finding[] {
  const findings: Finding[] = [];
  const where = file ? ` (${file})` : '';
  const scan = (blocks: Blocks | undefined, table: Readonly<Record<string, RequiredArgs>>, prefix: string) => {
    for (const [type, byName] of Object.entries(blocks ?? {})) {
      const req = table[type];
      for (const [name, bodies] of Object.entries(byName)) {
        const object = `${prefix}${type}.${name}`;
        if (!req) {
          if (!KNOWN_WITHOUT_TABLE.has(type)) findings.push({ ruleId: 'TF-UNKNOWN-TYPE', severity: 'info', source: 'schema', object, message: `${type} is not in the required-arguments table; its arguments were not checked${where}` });
          continue;
        }
        for (const body of bodies) {
          for (const [path, args] of prefix === '' ? Object.entries(NESTED_REQUIRED_ARGUMENTS[type] ?? {}) : []) {
            for (const nestedBody of blocksAt(body, path)) {
              for (const a of args.filter((x) => nestedBody[x] === undefined || nestedBody[x] === null)) {
                findings.push({ ruleId: 'TF-REQUIRED', severity: 'error', source: 'schema', object, path: `${path}.${a}`, message: `${object}: block "${path}" is missing required argument "${a}"${where}` });
              }
            }
          }
          for (const what of missing(body, req)) {
            // For "one of" the first alternative is the one a fixer would set.
            const path = /"([^"]+)"/.exec(what)?.[1];
            findings.push({ ruleId: 'TF-REQUIRED', severity: 'error', source: 'schema', object, path, message: `${object} is missing required ${what}${where}` });
          }
        }
      }
    }
  };
  scan(config.resource, REQUIRED_ARGUMENTS, '');
  scan(config.data, DATA_REQUIRED_ARGUMENTS, 'data.');
  return findings;
}

/** Every string value in a body, at any depth. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) strings(x, out);
  return out;
}

/** The `${ … }` interpolations of a string hcl2json produced, with quoted literals inside them blanked. */
function interpolations(s: string): string[] {
  const out: string[] = [];
  let i = s.indexOf('${');
  while (i >= 0) {
    let depth = 0;
    let j = i + 2;
    let inString = false;
    let text = '';
    for (; j < s.length; j++) {
      const ch = s[j];
      if (inString) {
        if (ch === '\\') j++;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') {
        inString = true;
        text += '""';
        continue;
      }
      if (ch === '{') depth++;
      if (ch === '}') {
        if (depth === 0) break;
        depth--;
      }
      text += ch;
    }
    out.push(text);
    i = s.indexOf('${', j);
  }
  return out;
}

const SKIP_ROOTS = new Set(['count', 'each', 'self', 'path', 'terraform', 'module']);
/** `root.name` traversals; a resource type has a provider prefix and an underscore. */
const TRAVERSAL = /(?<![\w.])([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?/g;

/** References to undeclared variables, locals, data sources and resources ("var.x" without `variable "x"`). */
export function checkReferences(config: TfConfig, declaredIn: ReadonlyMap<string, string> = new Map()): Finding[] {
  const findings: Finding[] = [];
  const locals = new Set((config.locals ?? []).flatMap((l) => Object.keys(l)));
  const seen = new Set<string>();
  const visit = (object: string, body: unknown) => {
    // Names bound by `for` expressions are not references to declarations.
    for (const s of strings(body)) {
      for (const expr of interpolations(s)) {
        const bound = new Set([...expr.matchAll(/\bfor\s+([A-Za-z_]\w*)(?:\s*,\s*([A-Za-z_]\w*))?\s+in\b/g)].flatMap((m) => [m[1], m[2]].filter(Boolean)));
        for (const m of expr.matchAll(TRAVERSAL)) {
          const [, root, second, third] = m;
          if (bound.has(root) || SKIP_ROOTS.has(root)) continue;
          let problem: string | undefined;
          if (root === 'var') problem = config.variable?.[second] ? undefined : `variable "${second}" is not declared`;
          else if (root === 'local') problem = locals.has(second) ? undefined : `local value "${second}" is not defined`;
          else if (root === 'data') problem = third && !config.data?.[second]?.[third] ? `data source ${second}.${third} is not declared` : undefined;
          else if (/^[a-z][a-z0-9]*_[a-z0-9_]+$/.test(root)) problem = config.resource?.[root]?.[second] ? undefined : `resource ${root}.${second} is not declared`;
          if (!problem) continue;
          const key = `${object}|${problem}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const file = declaredIn.get(object);
          const target = root === 'data' ? `data.${second}.${third}` : `${root}.${second}`;
          findings.push({ ruleId: 'TF-REF', severity: 'error', source: 'schema', object, path: target, message: `${object} refers to ${m[0]}, but ${problem}${file ? ` (${file})` : ''}` });
        }
      }
    }
  };
  for (const [type, byName] of Object.entries(config.resource ?? {})) for (const [name, bodies] of Object.entries(byName)) visit(`${type}.${name}`, bodies);
  for (const [type, byName] of Object.entries(config.data ?? {})) for (const [name, bodies] of Object.entries(byName)) visit(`data.${type}.${name}`, bodies);
  for (const [name, bodies] of Object.entries(config.provider ?? {})) visit(`provider.${name}`, bodies);
  for (const [name, bodies] of Object.entries(config.output ?? {})) visit(`output.${name}`, bodies);
  (config.locals ?? []).forEach((l) => visit('locals', l));
  return findings;
}

/** `type.name` (and `data.type.name`, `provider.x`, `variable.x`) → the file declaring it. */
export function declarations(parsed: ReadonlyMap<string, TfConfig>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [file, c] of parsed) {
    for (const [type, byName] of Object.entries(c.resource ?? {})) for (const name of Object.keys(byName)) out.set(`${type}.${name}`, file);
    for (const [type, byName] of Object.entries(c.data ?? {})) for (const name of Object.keys(byName)) out.set(`data.${type}.${name}`, file);
    for (const name of Object.keys(c.provider ?? {})) out.set(`provider.${name}`, file);
    for (const name of Object.keys(c.variable ?? {})) out.set(`variable.${name}`, file);
    if (c.terraform) out.set('terraform', out.get('terraform') ?? file);
  }
  return out;
}

/** Every Terraform rule over the module (all files together). */
export function runTfRules(config: TfConfig, declaredIn: ReadonlyMap<string, string> = new Map(), waived: ReadonlySet<string> = new Set()): Finding[] {
  const out: Finding[] = [];
  for (const rule of ALL_TF_RULES) {
    // Rules see the whole module (a provider pin in versions.tf covers main.tf), not one file.
    for (const hit of rule.check(config, '(module)')) {
      const file = declaredIn.get(hit.object);
      out.push({
        ruleId: rule.id,
        severity: rule.severity,
        source: 'rule',
        object: hit.object,
        path: hit.path,
        message: `${rule.title}: ${hit.message}${file ? ` (${file})` : ''}`,
        checkov: rule.checkov,
        waived: waived.has(rule.id) || undefined,
      });
    }
  }
  return out;
}
/** Parse, required arguments, references, rules: everything the offline validator knows. */
export async function validateTerraform(files: readonly ArtefactFile[], opts: { waivedRules?: readonly string[] } = {}): Promise<Finding[]> {
  return validateParsed(await parseTerraform(files), opts);
}

/** The same over an already parsed bundle (callers that also read the configuration parse once). */
export function validateParsed(parsed: ParsedTerraform, opts: { waivedRules?: readonly string[] } = {}): Finding[] {
  const { config } = parsed;
  const findings = [...parsed.findings];
  for (const [file, c] of config) findings.push(...checkRequired(c, file));
  const merged = mergeConfigs(config.values());
  const declaredIn = declarations(config);
  findings.push(...checkReferences(merged, declaredIn));
  findings.push(...runTfRules(merged, declaredIn, new Set(opts.waivedRules ?? [])));
  return findings;
}
