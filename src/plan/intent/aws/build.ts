/**
 * AWS builder: an AwsIntent (resource types, names, stated attributes) → a Terraform bundle
 * (versions.tf with the provider pinned, providers.tf with the region as a variable,
 * variables.tf, main.tf), every resource written by its template with required arguments and
 * secure defaults, references wired between them, and resources a reference needs added.
 */
import { UserError } from '../../../core/errors.js';
import type { ArtefactFile } from '../artefact.js';
import type { z } from 'zod';
import { AwsIntentSchema } from '../spec.js';
import { attr, block, comment, expr, writeHcl, type HclExpr, type HclNode, type HclValue } from '../terraform/hcl.js';
import type { BuildContext, PlannedResource } from './context.js';
import { AWS_TEMPLATES } from './templates.js';

export const AWS_PROVIDER_PIN = { source: 'hashicorp/aws', version: '~> 5.0' } as const;
export const DEFAULT_REGION = 'us-east-1';

/** A Terraform label: letters, digits, underscores, starting with a letter. */
export function toLabel(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[a-z]/.test(s) ? s : `r_${s || 'main'}`;
}

interface Planned extends PlannedResource {
  /** The resource this one belongs to (an S3 bucket's versioning belongs to that bucket). */
  owner?: { type: string; label: string };
}

class Bundle {
  readonly planned: Planned[] = [];
  readonly data = new Map<string, HclNode>();
  readonly variables = new Map<string, HclNode>();

  constructor(readonly region: string) {}

  freeLabel(type: string, wanted: string): string {
    const taken = new Set(this.planned.filter((p) => p.type === type).map((p) => p.label));
    if (!taken.has(wanted)) return wanted;
    for (let i = 2; ; i++) if (!taken.has(`${wanted}_${i}`)) return `${wanted}_${i}`;
  }

  add(type: string, opts: { name?: string; stated?: Record<string, unknown>; implied: boolean; labelHint?: string; owner?: Planned['owner']; at?: number }): Planned {
    const label = this.freeLabel(type, toLabel(opts.name ?? opts.labelHint ?? 'main'));
    const p: Planned = { type, label, display: opts.name ?? label.replace(/_/g, '-'), stated: opts.stated ?? {}, implied: opts.implied, owner: opts.owner };
    if (opts.at !== undefined) this.planned.splice(opts.at, 0, p);
    else this.planned.push(p);
    return p;
  }

  ofType(type: string, except?: Planned): Planned[] {
    return this.planned.filter((p) => p.type === type && p !== except);
  }

  context(self: Planned): BuildContext {
    const bundle = this;
    const stated = (key: string) => self.stated[key];
    const find = (type: string): Planned | undefined => {
      if (self.owner?.type === type) return bundle.planned.find((p) => p.type === type && p.label === self.owner!.label);
      return bundle.ofType(type, self)[0];
    };
    const ensure = (type: string): Planned => find(type) ?? bundle.add(type, { implied: true, labelHint: self.label });
    const ref = (p: Planned, a: string): HclExpr => expr(`${p.type}.${p.label}.${a}`);
    return {
      self,
      index: bundle.ofType(self.type).indexOf(self),
      region: bundle.region,
      str: (k) => (typeof stated(k) === 'string' ? (stated(k) as string) : undefined),
      num: (k) => (typeof stated(k) === 'number' ? (stated(k) as number) : undefined),
      bool: (k) => (typeof stated(k) === 'boolean' ? (stated(k) as boolean) : undefined),
      ref: (type, a) => ref(ensure(type), a),
      refIfPlanned: (type, a) => {
        const p = find(type);
        return p ? ref(p, a) : undefined;
      },
      refsAll: (type, a) => bundle.ofType(type, self).map((p) => ref(p, a)),
      refAt: (type, n, a) => {
        while (bundle.ofType(type, self).length <= n) bundle.add(type, { implied: true, labelHint: self.label });
        return ref(bundle.ofType(type, self)[n], a);
      },
      has: (type) => bundle.ofType(type, self).length > 0,
      data: (type, label, body) => {
        const key = `${type}.${label}`;
        if (!bundle.data.has(key)) bundle.data.set(key, block('data', [type, label], body));
        return `data.${key}`;
      },
      variable: (name, description, opts = {}) => {
        if (!bundle.variables.has(name)) bundle.variables.set(name, block('variable', [name], [attr('type', expr(opts.type ?? 'string')), attr('description', description), opts.sensitive && attr('sensitive', true)]));
        return expr(`var.${name}`);
      },
    };
  }
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Stated arguments the template accepts override its defaults (scalars and lists of scalars only). */
function applyStated(nodes: HclNode[], p: Planned, accepts: readonly string[]): HclNode[] {
  const out = [...nodes];
  for (const key of accepts) {
    const v = p.stated[key];
    const value: HclValue | undefined = isScalar(v) ? v : Array.isArray(v) && v.every(isScalar) ? (v as HclValue[]) : undefined;
    if (value === undefined) continue;
    const i = out.findIndex((n) => n.kind === 'attr' && n.name === key);
    if (i >= 0) out[i] = attr(key, value);
    else {
      const tagsAt = out.findIndex((n) => n.kind === 'attr' && n.name === 'tags');
      out.splice(tagsAt >= 0 ? tagsAt : out.length, 0, attr(key, value));
    }
  }
  return out;
}

/** Companions (S3 versioning…) right after their owner, unless the request already has one for it. */
function addCompanions(bundle: Bundle, owner: Planned): void {
  const template = AWS_TEMPLATES[owner.type];
  if (!template?.companions) return;
  let at = bundle.planned.indexOf(owner) + 1;
  const firstOfType = bundle.ofType(owner.type)[0] === owner;
  for (const type of template.companions(bundle.context(owner))) {
    const existing = bundle.ofType(type).some((c) => (c.owner ? c.owner.label === owner.label : firstOfType));
    if (existing) continue;
    // "versioning disabled" on the bucket becomes the companion's status, not a missing companion.
    const stated = type === 'aws_s3_bucket_versioning' && owner.stated.versioning === false ? { enabled: false } : {};
    bundle.add(type, { implied: true, labelHint: owner.label, owner: { type: owner.type, label: owner.label }, stated, at: at++ });
  }
}

export interface AwsBuildResult {
  files: ArtefactFile[];
  /** Requested types the builder has no template for (named in a comment in main.tf). */
  skipped: string[];
}

type AwsIntentInput = z.input<typeof AwsIntentSchema>;

/** Accepts an IntentSpec (reads its `aws` block) or an AwsIntent itself. */
export function buildAwsBundle(input: { aws?: AwsIntentInput } | AwsIntentInput): AwsBuildResult {
  const parsed = AwsIntentSchema.safeParse('aws' in input || 'target' in input ? ((input as { aws?: AwsIntentInput }).aws ?? {}) : input);
  if (!parsed.success) throw new UserError(parsed.error.issues.map((i) => `${['aws', ...i.path].join('.')}: ${i.message}`).join('; '), 'AWS intent');
  const aws = parsed.data;
  const region = aws.region ?? DEFAULT_REGION;
  const bundle = new Bundle(region);
  const skipped: string[] = [];
  for (const r of aws.resources) {
    if (!AWS_TEMPLATES[r.type]) skipped.push(r.type);
    else bundle.add(r.type, { name: r.name, stated: r.attributes, implied: false, labelHint: 'main' });
  }

  const resources: HclNode[] = [];
  // Templates may add resources (a reference to a role that is not planned yet): keep going until all are written.
  for (let i = 0; i < bundle.planned.length; i++) {
    const p = bundle.planned[i];
    const template = AWS_TEMPLATES[p.type];
    addCompanions(bundle, p);
    const nodes = template.build(bundle.context(p)).filter((n): n is HclNode => !!n);
    resources.push(block('resource', [p.type, p.label], applyStated(nodes, p, template.accepts)));
  }

  const versions = writeHcl([
    block('terraform', [], [attr('required_version', '>= 1.5.0'), block('required_providers', [], [attr('aws', { source: AWS_PROVIDER_PIN.source, version: AWS_PROVIDER_PIN.version })])]),
  ]);
  const providers = writeHcl([block('provider', ['aws'], [attr('region', expr('var.region')), block('default_tags', [], [attr('tags', { ManagedBy: 'autonomic' })])])]);
  const variables = writeHcl([block('variable', ['region'], [attr('type', expr('string')), attr('description', 'AWS region to deploy into'), attr('default', region)]), ...bundle.variables.values()]);
  const header: HclNode[] = skipped.length > 0 ? [comment(`Not built (no template for these types yet): ${[...new Set(skipped)].join(', ')}`)] : [];
  const main = writeHcl([...header, ...bundle.data.values(), ...resources]);
  return {
    files: [
      { path: 'versions.tf', kind: 'terraform', content: versions },
      { path: 'providers.tf', kind: 'terraform', content: providers },
      { path: 'variables.tf', kind: 'terraform', content: variables },
      { path: 'main.tf', kind: 'terraform', content: main },
    ],
    skipped,
  };
}

/** The Terraform files for the request's AWS resources. */
export function buildAwsTerraform(spec: { aws?: AwsIntentInput } | AwsIntentInput): ArtefactFile[] {
  return buildAwsBundle(spec).files;
}
