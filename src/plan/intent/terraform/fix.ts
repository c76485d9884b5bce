/**
 * Rule-based fixer for Terraform findings. It edits the HCL text in place — locate the block by
 * its header, then set/insert an attribute or nested block, or append a companion resource —
 * with every inserted piece written by hcl.ts. Regenerating whole files from the hcl2json JSON
 * was the alternative; it would drop comments and rewrite every expression as an interpolation,
 * turning a one-line fix into a whole-file diff nobody can review.
 */
import type { AppliedFix, ArtefactFile } from '../artefact.js';
import type { Finding } from '../findings.js';
import { attr, block, expr, writeHcl, type HclNode, type HclValue } from './hcl.js';
import { PROXMOX_PROVIDER_SOURCE, PROXMOX_PROVIDER_VERSION } from './proxmox-provider.js';

/** Provider pins the fixer adds (the builders use the same). */
export const PROVIDER_PINS: Record<string, { source: string; version: string }> = {
  aws: { source: 'hashicorp/aws', version: '~> 5.0' },
  random: { source: 'hashicorp/random', version: '~> 3.6' },
  archive: { source: 'hashicorp/archive', version: '~> 2.4' },
  proxmox: { source: PROXMOX_PROVIDER_SOURCE, version: PROXMOX_PROVIDER_VERSION },
};

// ---- locating blocks in HCL text -----------------------------------------------------------------

interface Span {
  /** Index of the first character of the header line. */
  start: number;
  /** Index of the `{` that opens the body. */
  open: number;
  /** Index of the matching `}`. */
  close: number;
  indent: string;
}

/** Index of the `}` matching the `{` at `open`, skipping strings, comments and heredocs. */
function matchBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (ch === '#' || (ch === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2);
      if (i < 0) return -1;
      i++;
      continue;
    }
    if (ch === '<' && text[i + 1] === '<') {
      const m = /^<<-?([A-Za-z_]\w*)\n/.exec(text.slice(i));
      if (m) {
        const end = new RegExp(`\\n\\s*${m[1]}\\s*(?:\\n|$)`).exec(text.slice(i + m[0].length));
        if (!end) return -1;
        i += m[0].length + end.index + end[0].length - 1;
        continue;
      }
    }
    if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  return -1;
}

function spanAt(text: string, headerIndex: number, openIndex: number): Span | undefined {
  const close = matchBrace(text, openIndex);
  if (close < 0) return undefined;
  const lineStart = text.lastIndexOf('\n', headerIndex) + 1;
  return { start: lineStart, open: openIndex, close, indent: /^[ \t]*/.exec(text.slice(lineStart))![0] };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A top-level block: `resource "type" "name" {`, `provider "aws" {`, `terraform {`. */
export function findBlock(text: string, type: string, labels: readonly string[]): Span | undefined {
  const re = new RegExp(`^[ \\t]*${escapeRe(type)}${labels.map((l) => `\\s+"${escapeRe(l)}"`).join('')}\\s*\\{`, 'm');
  const m = re.exec(text);
  return m ? spanAt(text, m.index, m.index + m[0].length - 1) : undefined;
}

/** The direct child blocks called `name` inside a span, in order. */
function childBlocks(text: string, parent: Span, name: string): Span[] {
  const out: Span[] = [];
  let i = parent.open + 1;
  while (i < parent.close) {
    const re = new RegExp(`^[ \\t]*${escapeRe(name)}\\s*\\{`, 'my');
    re.lastIndex = i;
    const lineEnd = text.indexOf('\n', i);
    const m = re.exec(text);
    if (m && m.index === i) {
      const s = spanAt(text, m.index, m.index + m[0].length - 1);
      if (!s) break;
      out.push(s);
      i = text.indexOf('\n', s.close) + 1 || parent.close;
      continue;
    }
    // Skip over any other nested block on this line so only direct children count.
    const line = text.slice(i, lineEnd < 0 ? parent.close : lineEnd);
    const brace = line.lastIndexOf('{');
    if (brace >= 0 && !line.includes('}', brace)) {
      const end = matchBrace(text, i + brace);
      i = end < 0 ? parent.close : text.indexOf('\n', end) + 1 || parent.close;
    } else i = lineEnd < 0 ? parent.close : lineEnd + 1;
  }
  return out;
}

/** Indent rendered HCL to sit inside a block at `indent`. */
function render(nodes: readonly HclNode[], indent: string): string {
  return writeHcl(nodes)
    .trimEnd()
    .split('\n')
    .map((l) => (l === '' ? '' : indent + l))
    .join('\n');
}

function insertBefore(text: string, span: Span, nodes: readonly HclNode[]): string {
  const inner = span.indent + '  ';
  const before = text.slice(0, span.close).replace(/[ \t]*$/, '');
  const sep = before.endsWith('\n') || before.endsWith('{') ? '' : '\n';
  const body = render(nodes, inner);
  if (before.endsWith('{')) return `${before}\n${body}\n${span.indent}${text.slice(span.close)}`;
  return `${before}${sep}${body}\n${span.indent}${text.slice(span.close)}`;
}

/** The span's body with nested blocks and object values blanked (same length), so only its own attributes match. */
function ownLines(text: string, span: Span): string {
  const chars = [...text.slice(span.open + 1, span.close)];
  let depth = 0;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '{') depth++;
    if (depth > 0 && ch !== '\n') chars[i] = ' ';
    if (ch === '}') depth = Math.max(0, depth - 1);
  }
  return chars.join('');
}

/** Set `name = value` directly in the span: replace a single-line attribute or insert one. */
function setAttr(text: string, span: Span, name: string, value: HclValue): string {
  const inner = ownLines(text, span);
  const re = new RegExp(`^([ \\t]*)${escapeRe(name)}\\s*=\\s*[^\\n{\\[]*$`, 'm');
  const m = re.exec(inner);
  if (m) {
    const at = span.open + 1 + m.index;
    return text.slice(0, at) + render([attr(name, value)], m[1]) + text.slice(at + m[0].length);
  }
  // Set already, to a list, object or multi-line expression: leave it (a second one would be a redefinition).
  if (new RegExp(`^[ \\t]*${escapeRe(name)}\\s*=`, 'm').test(inner)) return text;
  return insertBefore(text, span, [attr(name, value)]);
}

/** Set an attribute inside the first child block `child` of the span, creating the block if absent. */
function setInChild(text: string, span: Span, child: string, name: string, value: HclValue): string {
  const [c] = childBlocks(text, span, child);
  return c ? setAttr(text, c, name, value) : insertBefore(text, span, [block(child, [], [attr(name, value)])]);
}

function removeAttr(text: string, span: Span, name: string): string {
  const inner = ownLines(text, span);
  const m = new RegExp(`^[ \\t]*${escapeRe(name)}\\s*=[^\\n]*\\n`, 'm').exec(inner);
  if (!m) return text;
  const at = span.open + 1 + m.index;
  return text.slice(0, at) + text.slice(at + m[0].length);
}

function appendNodes(text: string, nodes: readonly HclNode[]): string {
  return `${text.trimEnd()}\n\n${writeHcl(nodes)}`;
}

// ---- the fixes -------------------------------------------------------------------------------------

interface Located {
  file: number;
  span: Span;
  type: string;
  name: string;
}

type Files = ArtefactFile[];

/** The file and block a finding's object (`type.name`, `provider.x`) names. */
function locate(files: Files, object: string): Located | undefined {
  const [head, ...rest] = object.split('.');
  const kind = head === 'provider' ? 'provider' : head === 'data' ? 'data' : 'resource';
  const labels = kind === 'provider' ? [rest[0].replace(/\[\d+\]$/, '')] : kind === 'data' ? [rest[0], rest[1]] : [head, rest[0]];
  for (const [i, f] of files.entries()) {
    if (f.kind !== 'terraform') continue;
    const span = findBlock(f.content, kind, labels);
    if (span) return { file: i, span, type: kind === 'resource' ? head : labels[0], name: labels[labels.length - 1] };
  }
  return undefined;
}

function edit(files: Files, file: number, content: string): Files {
  return files.map((f, i) => (i === file ? { ...f, content } : f));
}

/** Declares `variable "name"` (type string) unless some file already does. */
function ensureVariable(files: Files, file: number, name: string, description: string): Files {
  if (files.some((f) => f.kind === 'terraform' && findBlock(f.content, 'variable', [name]))) return files;
  const target = files.findIndex((f) => f.path.endsWith('variables.tf'));
  const i = target >= 0 ? target : file;
  // A secret-looking name is declared sensitive, so plans and logs never print it.
  const secret = /token|password|passwd|secret|private_key|api_key/i.test(name);
  return edit(files, i, appendNodes(files[i].content, [block('variable', [name], [attr('type', expr('string')), attr('description', description), secret && attr('sensitive', true)])]));
}

/** The one resource of `type` in the bundle, for wiring a missing reference; none or several → undefined. */
function onlyResource(files: Files, type: string): string | undefined {
  const names = files.flatMap((f) => [...f.content.matchAll(new RegExp(`^\\s*resource\\s+"${type}"\\s+"([^"]+)"`, 'gm'))].map((m) => m[1]));
  return names.length === 1 ? names[0] : undefined;
}

/** Safe defaults for missing required arguments: `type.arg` first, then `arg` alone. */
function defaultFor(files: Files, type: string, name: string, arg: string): HclValue | undefined {
  const ref = (t: string, a: string) => {
    const n = onlyResource(files, t);
    return n ? expr(`${t}.${n}.${a}`) : undefined;
  };
  switch (`${type}.${arg}`) {
    case 'aws_lambda_function.role':
    case 'aws_eks_cluster.role_arn':
    case 'aws_codebuild_project.service_role':
      return ref('aws_iam_role', 'arn');
    case 'aws_iam_role_policy_attachment.role':
    case 'aws_iam_role_policy.role':
      return ref('aws_iam_role', 'name');
    case 'aws_db_instance.instance_class':
      return 'db.t3.micro';
    case 'aws_lambda_permission.action':
      return 'lambda:InvokeFunction';
  }
  const byName: Record<string, HclValue | undefined> = {
    instance_type: 't3.micro',
    name,
    function_name: name,
    cluster_id: name,
    cluster_identifier: name,
    alarm_name: name,
    min_size: 1,
    max_size: 1,
    evaluation_periods: 2,
    comparison_operator: 'GreaterThanThreshold',
    vpc_id: ref('aws_vpc', 'id'),
    subnet_id: ref('aws_subnet', 'id'),
    bucket: ref('aws_s3_bucket', 'id'),
    security_group_id: ref('aws_security_group', 'id'),
    zone_id: ref('aws_route53_zone', 'zone_id'),
    route_table_id: ref('aws_route_table', 'id'),
    load_balancer_arn: ref('aws_lb', 'arn'),
    target_group_arn: ref('aws_lb_target_group', 'arn'),
  };
  return byName[arg];
}

type Fixer = (files: Files, f: Finding) => { files: Files; change: string } | undefined;

function onResource(apply: (text: string, span: Span, at: Located) => string, change: string): Fixer {
  return (files, f) => {
    const at = locate(files, f.object);
    if (!at) return undefined;
    const content = apply(files[at.file].content, at.span, at);
    return content === files[at.file].content ? undefined : { files: edit(files, at.file, content), change };
  };
}

/** Appends a companion resource for an S3 bucket right after it. */
function companion(type: string, body: (bucketRef: HclValue) => HclNode[], change: string): Fixer {
  return (files, f) => {
    const at = locate(files, f.object);
    if (!at) return undefined;
    const text = files[at.file].content;
    const node = block('resource', [type, at.name], body(expr(`${at.type}.${at.name}.id`)));
    if (findBlock(text, 'resource', [type, at.name])) return undefined;
    const after = text.indexOf('\n', at.span.close);
    const cut = after < 0 ? text.length : after + 1;
    const content = `${text.slice(0, cut)}\n${writeHcl([node])}${text.slice(cut)}`;
    return { files: edit(files, at.file, content), change };
  };
}

/** Replace world-open CIDRs of the offending rule with `var.admin_cidr`. */
const narrowToAdmin: Fixer = (files, f) => {
  const at = locate(files, f.object);
  if (!at) return undefined;
  const text = files[at.file].content;
  let target = at.span;
  const m = /^(ingress)\[(\d+)\]$/.exec(f.path ?? '');
  if (m) {
    const child = childBlocks(text, at.span, m[1])[Number(m[2])];
    if (!child) return undefined;
    target = child;
  }
  const inner = text.slice(target.open + 1, target.close);
  const replaced = inner
    .replace(/^([ \t]*cidr_blocks\s*=\s*)\[[^\]]*\]/m, '$1[var.admin_cidr]')
    .replace(/^([ \t]*cidr_ipv4\s*=\s*)"0\.0\.0\.0\/0"/m, '$1var.admin_cidr')
    .replace(/^[ \t]*(?:ipv6_cidr_blocks\s*=\s*\[[^\]]*\]|cidr_ipv6\s*=\s*"::\/0")[ \t]*\n/m, '');
  if (replaced === inner) return undefined;
  const content = text.slice(0, target.open + 1) + replaced + text.slice(target.close);
  return { files: ensureVariable(edit(files, at.file, content), at.file, 'admin_cidr', 'CIDR range allowed to reach administrative ports (SSH/RDP), e.g. your VPN'), change: `${f.path || 'rule'}: source narrowed from the internet to var.admin_cidr` };
};

const pinProviders: Fixer = (files, f) => {
  const provider = /required_providers\.(\w+)/.exec(f.path ?? '')?.[1];
  const pin = provider ? PROVIDER_PINS[provider] : undefined;
  if (!provider || !pin) return undefined;
  const entry = attr(provider, { source: pin.source, version: pin.version });
  for (const [i, file] of files.entries()) {
    if (file.kind !== 'terraform') continue;
    const tf = findBlock(file.content, 'terraform', []);
    if (!tf) continue;
    const [rp] = childBlocks(file.content, tf, 'required_providers');
    if (!rp) return { files: edit(files, i, insertBefore(file.content, tf, [block('required_providers', [], [entry])])), change: `required_providers.${provider} pinned to ${pin.version}` };
    const inner = file.content.slice(rp.open + 1, rp.close);
    const existing = new RegExp(`^([ \\t]*)${provider}\\s*=\\s*\\{[^}]*\\}`, 'm').exec(inner);
    if (existing) {
      const source = /source\s*=\s*"([^"]+)"/.exec(existing[0])?.[1] ?? pin.source;
      const at = rp.open + 1 + existing.index;
      const text = file.content.slice(0, at) + render([attr(provider, { source, version: pin.version })], existing[1]) + file.content.slice(at + existing[0].length);
      return { files: edit(files, i, text), change: `required_providers.${provider} pinned to ${pin.version}` };
    }
    return { files: edit(files, i, insertBefore(file.content, rp, [entry])), change: `required_providers.${provider} pinned to ${pin.version}` };
  }
  const versions: ArtefactFile = { path: 'versions.tf', kind: 'terraform', content: writeHcl([block('terraform', [], [block('required_providers', [], [entry])])]) };
  return { files: [...files, versions], change: `versions.tf added with ${provider} pinned to ${pin.version}` };
};

const FIXERS: Record<string, Fixer> = {
  'TF-REQUIRED': (files, f) => {
    const at = locate(files, f.object);
    if (!at || !f.path) return undefined;
    const value = defaultFor(files, at.type, at.name, f.path);
    if (value === undefined) return undefined;
    return { files: edit(files, at.file, setAttr(files[at.file].content, at.span, f.path, value)), change: `${f.path} set to a safe default` };
  },
  'TF-REF': (files, f) => {
    const name = /^var\.([A-Za-z_][\w-]*)$/.exec(f.path ?? '')?.[1];
    const at = locate(files, f.object);
    if (!name || !at) return undefined;
    return { files: ensureVariable(files, at.file, name, `${name} (declared by the fixer; set it in terraform.tfvars)`), change: `variable "${name}" declared` };
  },
  'TF-001': onResource((text, span) => {
    let out = setInChild(text, span, 'root_block_device', 'encrypted', true);
    // Re-locate after each edit: offsets move.
    for (let i = 0; ; i++) {
      const s = findBlock(out, 'resource', headerLabels(out, span))!;
      const ebs = childBlocks(out, s, 'ebs_block_device')[i];
      if (!ebs) break;
      out = setAttr(out, ebs, 'encrypted', true);
    }
    return out;
  }, 'root and EBS volumes encrypted'),
  'TF-002': onResource((text, span) => setInChild(text, span, 'metadata_options', 'http_tokens', 'required'), 'metadata_options.http_tokens = "required" (IMDSv2)'),
  'TF-003': narrowToAdmin,
  'TF-004': narrowToAdmin,
  'TF-006': onResource((text, span, at) => {
    if (at.type === 'aws_security_group' && !/^\s*description\s*=/m.test(ownLines(text, span))) return setAttr(text, span, 'description', `Security group ${at.name}`);
    let out = text;
    for (const dir of ['ingress', 'egress']) {
      for (let i = 0; ; i++) {
        const s = findBlock(out, 'resource', [at.type, at.name])!;
        const child = childBlocks(out, s, dir)[i];
        if (!child) break;
        if (!/^\s*description\s*=/m.test(out.slice(child.open + 1, child.close))) out = setAttr(out, child, 'description', `${dir} rule ${i + 1}`);
      }
    }
    if (at.type !== 'aws_security_group') out = setAttr(out, span, 'description', `${at.name} rule`);
    return out;
  }, 'descriptions added'),
  'TF-008': companion('aws_s3_bucket_versioning', (b) => [attr('bucket', b), block('versioning_configuration', [], [attr('status', 'Enabled')])], 'aws_s3_bucket_versioning added (status Enabled)'),
  'TF-009': companion('aws_s3_bucket_server_side_encryption_configuration', (b) => [attr('bucket', b), block('rule', [], [block('apply_server_side_encryption_by_default', [], [attr('sse_algorithm', 'aws:kms')])])], 'server-side encryption with aws:kms added'),
  'TF-010': (files, f) => {
    const added = companion('aws_s3_bucket_public_access_block', (b) => [attr('bucket', b), attr('block_public_acls', true), attr('block_public_policy', true), attr('ignore_public_acls', true), attr('restrict_public_buckets', true)], 'aws_s3_bucket_public_access_block added (all four blocks on)')(files, f);
    if (added) return added;
    // The block exists but leaves flags off: turn them on.
    const at = locate(files, f.object);
    const pab = at && locate(files, `aws_s3_bucket_public_access_block.${at.name}`);
    if (!pab) return undefined;
    let text = files[pab.file].content;
    for (const flag of (f.path ?? '').split(', ').filter(Boolean)) text = setAttr(text, findBlock(text, 'resource', ['aws_s3_bucket_public_access_block', pab.name])!, flag, true);
    return { files: edit(files, pab.file, text), change: `public access block flags turned on: ${f.path}` };
  },
  'TF-012': onResource((text, span) => setAttr(text, span, 'monitoring', true), 'monitoring = true'),
  'TF-013': onResource((text, span) => setAttr(text, span, 'ebs_optimized', true), 'ebs_optimized = true'),
  'TF-015': onResource((text, span) => ['access_key', 'secret_key', 'token'].reduce((t, k) => removeAttr(t, findBlock(t, 'provider', ['aws'])!, k), text), 'hard-coded credentials removed (the provider reads the environment, a profile or a role)'),
  'TF-016': pinProviders,
  'TF-017': onResource((text, span) => setAttr(text, span, 'storage_encrypted', true), 'storage_encrypted = true'),
  'TF-019': onResource((text, span) => setAttr(text, span, 'encrypted', true), 'encrypted = true'),
  'TF-020': onResource((text, span) => setAttr(text, span, 'enable_key_rotation', true), 'enable_key_rotation = true'),
  'TF-021': onResource((text, span) => setInChild(text, span, 'point_in_time_recovery', 'enabled', true), 'point_in_time_recovery enabled'),
  'TF-022': onResource((text, span) => setAttr(text, span, 'kms_master_key_id', 'alias/aws/sns'), 'kms_master_key_id = "alias/aws/sns"'),
  'TF-023': onResource((text, span) => setAttr(text, span, 'sqs_managed_sse_enabled', true), 'sqs_managed_sse_enabled = true'),
};

/** The labels of the block whose header starts the span (to find it again after an edit). */
function headerLabels(text: string, span: Span): string[] {
  return [...text.slice(span.start, span.open).matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

export function tfFixable(f: Finding): boolean {
  return !f.waived && f.ruleId in FIXERS;
}

/** Apply every fix the findings allow, one at a time (each re-locates its block in the current text). */
export function fixTerraform(files: readonly ArtefactFile[], findings: readonly Finding[]): { files: ArtefactFile[]; applied: AppliedFix[] } {
  let current = [...files];
  const applied: AppliedFix[] = [];
  for (const f of findings) {
    if (!tfFixable(f)) continue;
    const r = FIXERS[f.ruleId](current, f);
    if (!r) continue;
    current = r.files;
    applied.push({ ruleId: f.ruleId, object: f.object, change: r.change });
  }
  return { files: current, applied };
}
