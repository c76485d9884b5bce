/**
 * A small HCL writer: typed blocks and attributes → text formatted the way `terraform fmt` does
 * (two-space indent, aligned `=` within a run of attributes). Hand-written because npm has HCL
 * parsers (@cdktf/hcl2json, used by the validator) but no maintained HCL *writer*; cdktf
 * synthesises .tf.json, which people do not review or edit.
 */

/** A raw HCL expression written as is: references (`var.name`), function calls, templates. */
export class HclExpr {
  constructor(readonly text: string) {}
}
export const expr = (text: string): HclExpr => new HclExpr(text);

export type HclValue = string | number | boolean | null | HclExpr | readonly HclValue[] | { readonly [key: string]: HclValue };

export interface HclAttr {
  readonly kind: 'attr';
  readonly name: string;
  readonly value: HclValue;
}
export interface HclBlock {
  readonly kind: 'block';
  readonly type: string;
  readonly labels: readonly string[];
  readonly body: readonly HclNode[];
}
export interface HclComment {
  readonly kind: 'comment';
  readonly text: string;
}
export type HclNode = HclAttr | HclBlock | HclComment;

export const attr = (name: string, value: HclValue): HclAttr => ({ kind: 'attr', name, value });
export const block = (type: string, labels: readonly string[], body: readonly (HclNode | undefined | false)[]): HclBlock => ({
  kind: 'block',
  type,
  labels,
  body: body.filter((n): n is HclNode => !!n),
});
export const comment = (text: string): HclComment => ({ kind: 'comment', text });

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function quote(s: string): string {
  // Escape what HCL's string syntax treats specially, including template sequences.
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/\$\{/g, () => '$${').replace(/%\{/g, '%%{')}"`;
}

function isObject(v: HclValue): v is { readonly [key: string]: HclValue } {
  return typeof v === 'object' && v !== null && !(v instanceof HclExpr) && !Array.isArray(v);
}

function value(v: HclValue, indent: string): string {
  if (v === null) return 'null';
  if (v instanceof HclExpr) return v.text;
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`HCL cannot hold the number ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    const items = v as readonly HclValue[];
    if (items.length === 0) return '[]';
    const flat = items.map((x) => value(x, indent + '  '));
    if (items.every((x) => !isObject(x)) && flat.join(', ').length <= 80 && !flat.some((s) => s.includes('\n'))) return `[${flat.join(', ')}]`;
    return `[\n${flat.map((s) => `${indent}  ${s},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(v as { readonly [key: string]: HclValue });
  if (entries.length === 0) return '{}';
  const keys = entries.map(([k]) => (IDENT.test(k) ? k : quote(k)));
  const width = Math.max(...keys.map((k) => k.length));
  return `{\n${entries.map(([, x], i) => `${indent}  ${keys[i].padEnd(width)} = ${value(x, indent + '  ')}`).join('\n')}\n${indent}}`;
}

function body(nodes: readonly HclNode[], indent: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < nodes.length) {
    const n = nodes[i];
    if (n.kind === 'attr') {
      // A run of consecutive single-line attributes aligns its `=` signs, as terraform fmt does.
      let j = i;
      while (j < nodes.length && nodes[j].kind === 'attr') j++;
      const run = nodes.slice(i, j) as HclAttr[];
      const width = Math.max(...run.map((a) => a.name.length));
      for (const a of run) {
        if (!IDENT.test(a.name)) throw new Error(`"${a.name}" is not a valid HCL attribute name`);
        out.push(`${indent}${a.name.padEnd(width)} = ${value(a.value, indent)}`);
      }
      i = j;
      continue;
    }
    if (n.kind === 'comment') {
      for (const line of n.text.split('\n')) out.push(`${indent}# ${line}`.trimEnd());
      i++;
      continue;
    }
    if (out.length > 0 && out[out.length - 1] !== '') out.push('');
    out.push(...blockLines(n, indent));
    if (i + 1 < nodes.length) out.push('');
    i++;
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

function blockLines(b: HclBlock, indent: string): string[] {
  if (!IDENT.test(b.type)) throw new Error(`"${b.type}" is not a valid HCL block type`);
  const head = [b.type, ...b.labels.map(quote)].join(' ');
  if (b.body.length === 0) return [`${indent}${head} {}`];
  return [`${indent}${head} {`, ...body(b.body, indent + '  '), `${indent}}`];
}

/** Top-level blocks (and comments) → one .tf file's text, ending with a newline. */
export function writeHcl(nodes: readonly HclNode[]): string {
  const out: string[] = [];
  nodes.forEach((n, i) => {
    if (n.kind === 'block') out.push(...blockLines(n, ''));
    else if (n.kind === 'comment') out.push(...n.text.split('\n').map((l) => `# ${l}`.trimEnd()));
    else out.push(`${n.name} = ${value(n.value, '')}`);
    if (i + 1 < nodes.length && !(n.kind === 'comment')) out.push('');
  });
  return out.join('\n') + '\n';
}
