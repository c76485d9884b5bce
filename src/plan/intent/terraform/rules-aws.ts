/**
 * AWS security and reliability rules over a parsed Terraform module (ids TF-001…TF-0xx), each
 * named after the Checkov check that covers the same thing, so people who run Checkov recognise
 * them. Pure functions of the hcl2json configuration.
 */
import type { TfBody, TfConfig, TfRule, TfRuleHit } from './rule.js';

export interface TfResource {
  type: string;
  name: string;
  object: string;
  body: TfBody;
}

/** Every block of the given resource types (one per occurrence). */
export function resourcesOf(config: TfConfig, ...types: string[]): TfResource[] {
  const out: TfResource[] = [];
  for (const type of types) {
    for (const [name, bodies] of Object.entries(config.resource?.[type] ?? {})) for (const body of bodies) out.push({ type, name, object: `${type}.${name}`, body });
  }
  return out;
}

/** First body of a nested block (hcl2json writes blocks as lists of bodies). */
export function nested(body: TfBody | undefined, key: string): TfBody | undefined {
  const v = body?.[key];
  if (Array.isArray(v)) return typeof v[0] === 'object' && v[0] !== null ? (v[0] as TfBody) : undefined;
  return typeof v === 'object' && v !== null ? (v as TfBody) : undefined;
}

function blocksOf(body: TfBody, key: string): TfBody[] {
  const v = body[key];
  return Array.isArray(v) ? v.filter((x): x is TfBody => typeof x === 'object' && x !== null) : [];
}

const isTrue = (v: unknown) => v === true || v === 'true';
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : undefined);

/** A reference to resource `type.name` appears in the value (`${aws_s3_bucket.logs.id}`). */
function refersTo(v: unknown, type: string, name: string): boolean {
  return typeof v === 'string' && new RegExp(`\\b${type}\\.${name}\\b`).test(v);
}

/** Companion resources (versioning, encryption…) that point at this bucket by reference or by its literal name. */
export function companionsOf(config: TfConfig, bucket: TfResource, companionType: string): TfResource[] {
  const literal = bucket.body.bucket;
  return resourcesOf(config, companionType).filter((c) => refersTo(c.body.bucket, bucket.type, bucket.name) || (typeof literal === 'string' && c.body.bucket === literal));
}

// ---- security group ingress/egress, wherever it is written -------------------------------------

interface SgRule {
  object: string;
  path: string;
  direction: 'ingress' | 'egress';
  from?: number;
  to?: number;
  protocol: string;
  cidrs: string[];
  description?: unknown;
}

function cidrList(...vs: unknown[]): string[] {
  return vs.flatMap((v) => (Array.isArray(v) ? v : v === undefined ? [] : [v])).filter((x): x is string => typeof x === 'string');
}

export function securityGroupRules(config: TfConfig): SgRule[] {
  const out: SgRule[] = [];
  for (const sg of resourcesOf(config, 'aws_security_group')) {
    for (const direction of ['ingress', 'egress'] as const) {
      blocksOf(sg.body, direction).forEach((b, i) => {
        out.push({ object: sg.object, path: `${direction}[${i}]`, direction, from: num(b.from_port), to: num(b.to_port), protocol: String(b.protocol ?? ''), cidrs: cidrList(b.cidr_blocks, b.ipv6_cidr_blocks), description: b.description });
      });
    }
  }
  for (const r of resourcesOf(config, 'aws_security_group_rule')) {
    const direction = r.body.type === 'egress' ? 'egress' : 'ingress';
    out.push({ object: r.object, path: '', direction, from: num(r.body.from_port), to: num(r.body.to_port), protocol: String(r.body.protocol ?? ''), cidrs: cidrList(r.body.cidr_blocks, r.body.ipv6_cidr_blocks), description: r.body.description });
  }
  for (const r of resourcesOf(config, 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule')) {
    const direction = r.type.endsWith('egress_rule') ? 'egress' : 'ingress';
    out.push({ object: r.object, path: '', direction, from: num(r.body.from_port), to: num(r.body.to_port), protocol: String(r.body.ip_protocol ?? ''), cidrs: cidrList(r.body.cidr_ipv4, r.body.cidr_ipv6), description: r.body.description });
  }
  return out;
}

const WORLD = new Set(['0.0.0.0/0', '::/0']);
const allProtocols = (p: string) => p === '-1' || p.toLowerCase() === 'all';

/** The rule lets the whole internet reach `port`. */
export function openToWorld(r: SgRule, port: number): boolean {
  if (r.direction !== 'ingress' || !r.cidrs.some((c) => WORLD.has(c))) return false;
  if (allProtocols(r.protocol)) return true;
  if (r.protocol.toLowerCase() === 'udp' || r.protocol.toLowerCase() === 'icmp') return false;
  return r.from !== undefined && r.to !== undefined && r.from <= port && port <= r.to;
}

function openPortRule(id: string, port: number, label: string, checkov: string, severity: 'error' | 'warning'): TfRule {
  return {
    id,
    title: `${label} (port ${port}) is not open to the internet`,
    severity,
    category: 'security',
    checkov,
    check: (config) => securityGroupRules(config).filter((r) => openToWorld(r, port)).map((r) => ({ object: r.object, path: r.path || undefined, message: `port ${port} is reachable from ${r.cidrs.filter((c) => WORLD.has(c)).join(', ')}` })),
  };
}

// ---- instances and launch templates ---------------------------------------------------------------

const INSTANCE_LIKE = ['aws_instance', 'aws_launch_template', 'aws_launch_configuration'];

function perResource(types: string[], bad: (r: TfResource, config: TfConfig) => Omit<TfRuleHit, 'object'> | undefined): (config: TfConfig) => TfRuleHit[] {
  return (config) => resourcesOf(config, ...types).flatMap((r) => {
    const hit = bad(r, config);
    return hit ? [{ object: r.object, ...hit }] : [];
  });
}

export const AWS_RULES: TfRule[] = [
  {
    id: 'TF-001',
    title: 'Instance volumes are encrypted',
    severity: 'error',
    category: 'security',
    checkov: 'CKV_AWS_8',
    check: perResource(['aws_instance', 'aws_launch_configuration'], (r) => {
      const root = nested(r.body, 'root_block_device');
      if (!isTrue(root?.encrypted)) return { path: 'root_block_device.encrypted', message: 'the root volume is not encrypted' };
      const plain = blocksOf(r.body, 'ebs_block_device').findIndex((b) => !isTrue(b.encrypted));
      return plain >= 0 ? { path: `ebs_block_device[${plain}].encrypted`, message: 'an attached EBS volume is not encrypted' } : undefined;
    }),
  },
  {
    id: 'TF-002',
    title: 'Instance metadata requires IMDSv2 tokens',
    severity: 'error',
    category: 'security',
    checkov: 'CKV_AWS_79',
    check: perResource(INSTANCE_LIKE, (r) => {
      const md = nested(r.body, 'metadata_options');
      if (md?.http_endpoint === 'disabled' || md?.http_tokens === 'required') return undefined;
      return { path: 'metadata_options.http_tokens', message: 'http_tokens is not "required", so IMDSv1 (no session token) stays enabled' };
    }),
  },
  openPortRule('TF-003', 22, 'SSH', 'CKV_AWS_24', 'error'),
  openPortRule('TF-004', 3389, 'RDP', 'CKV_AWS_25', 'error'),
  openPortRule('TF-005', 80, 'Plain HTTP', 'CKV_AWS_260', 'warning'),
  {
    id: 'TF-006',
    title: 'Security groups and their rules have a description',
    severity: 'warning',
    category: 'reliability',
    checkov: 'CKV_AWS_23',
    check: (config) => [
      ...resourcesOf(config, 'aws_security_group').filter((sg) => typeof sg.body.description !== 'string' || sg.body.description === '').map((sg) => ({ object: sg.object, path: 'description', message: 'the security group has no description' })),
      ...securityGroupRules(config).filter((r) => typeof r.description !== 'string' || r.description === '').map((r) => ({ object: r.object, path: r.path ? `${r.path}.description` : 'description', message: `a ${r.direction} rule has no description` })),
    ],
  },
  {
    id: 'TF-007',
    title: 'Egress is not open to every port and protocol on the internet',
    severity: 'warning',
    category: 'security',
    checkov: 'CKV_AWS_382',
    check: (config) => securityGroupRules(config).filter((r) => r.direction === 'egress' && allProtocols(r.protocol) && r.cidrs.some((c) => WORLD.has(c))).map((r) => ({ object: r.object, path: r.path || undefined, message: 'all traffic may leave to 0.0.0.0/0' })),
  },
  {
    id: 'TF-008',
    title: 'S3 buckets have versioning enabled',
    severity: 'warning',
    category: 'reliability',
    checkov: 'CKV_AWS_21',
    check: perResource(['aws_s3_bucket'], (b, config) => {
      if (isTrue(nested(b.body, 'versioning')?.enabled)) return undefined;
      const on = companionsOf(config, b, 'aws_s3_bucket_versioning').some((v) => nested(v.body, 'versioning_configuration')?.status === 'Enabled');
      return on ? undefined : { message: 'no aws_s3_bucket_versioning with status "Enabled" for this bucket' };
    }),
  },
  {
    id: 'TF-009',
    title: 'S3 buckets are encrypted at rest with a KMS key',
    severity: 'warning',
    category: 'security',
    checkov: 'CKV_AWS_145',
    check: perResource(['aws_s3_bucket'], (b, config) => {
      if (b.body.server_side_encryption_configuration !== undefined) return undefined;
      return companionsOf(config, b, 'aws_s3_bucket_server_side_encryption_configuration').length > 0 ? undefined : { message: 'no aws_s3_bucket_server_side_encryption_configuration for this bucket' };
    }),
  },
  {
    id: 'TF-010',
    title: 'S3 buckets block public access',
    severity: 'error',
    category: 'security',
    checkov: 'CKV2_AWS_6, CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56',
    check: perResource(['aws_s3_bucket'], (b, config) => {
      const blocks = companionsOf(config, b, 'aws_s3_bucket_public_access_block');
      if (blocks.length === 0) return { message: 'no aws_s3_bucket_public_access_block for this bucket' };
      const flags = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];
      const off = flags.filter((f) => !blocks.some((p) => isTrue(p.body[f])));
      return off.length > 0 ? { path: off.join(', '), message: `the public access block leaves ${off.join(', ')} off` } : undefined;
    }),
  },
  {
    id: 'TF-011',
    title: 'S3 buckets log access',
    severity: 'info',
    category: 'security',
    checkov: 'CKV_AWS_18',
    check: perResource(['aws_s3_bucket'], (b, config) => {
      if (b.body.logging !== undefined || companionsOf(config, b, 'aws_s3_bucket_logging').length > 0) return undefined;
      // A bucket that is itself the target of access logs is exempt (logging it would loop).
      const isTarget = resourcesOf(config, 'aws_s3_bucket_logging').some((l) => refersTo(l.body.target_bucket, b.type, b.name));
      return isTarget ? undefined : { message: 'server access logging is not configured (it needs a log bucket you choose)' };
    }),
  },
  {
    id: 'TF-012',
    title: 'EC2 instances have detailed monitoring',
    severity: 'warning',
    category: 'reliability',
    checkov: 'CKV_AWS_126',
    check: perResource(['aws_instance'], (r) => (isTrue(r.body.monitoring) ? undefined : { path: 'monitoring', message: 'monitoring is not true (metrics every 5 minutes instead of every minute)' })),
  },
  {
    id: 'TF-013',
    title: 'EC2 instances are EBS-optimised',
    severity: 'warning',
    category: 'reliability',
    checkov: 'CKV_AWS_135',
    check: perResource(['aws_instance'], (r) => (isTrue(r.body.ebs_optimized) ? undefined : { path: 'ebs_optimized', message: 'ebs_optimized is not true' })),
  },
  {
    id: 'TF-014',
    title: 'EC2 instances get no public IP address',
    severity: 'warning',
    category: 'security',
    checkov: 'CKV_AWS_88',
    check: perResource(['aws_instance', 'aws_launch_configuration'], (r) => (isTrue(r.body.associate_public_ip_address) ? { path: 'associate_public_ip_address', message: 'the instance gets a public IP address (reachable from the internet)' } : undefined)),
  },
  {
    id: 'TF-015',
    title: 'The AWS provider has no hard-coded credentials',
    severity: 'error',
    category: 'security',
    checkov: 'CKV_AWS_41',
    check: (config) =>
      (config.provider?.aws ?? []).flatMap((p, i) =>
        ['access_key', 'secret_key', 'token']
          .filter((k) => typeof p[k] === 'string' && !(p[k] as string).includes('${'))
          .map((k) => ({ object: i === 0 ? 'provider.aws' : `provider.aws[${i}]`, path: k, message: `${k} is written in the configuration (use the environment, a profile or a role)` })),
      ),
  },
  {
    id: 'TF-017',
    title: 'RDS storage is encrypted',
    severity: 'error',
    category: 'security',
    checkov: 'CKV_AWS_16',
    check: perResource(['aws_db_instance', 'aws_rds_cluster'], (r) => {
      // A replica inherits the source's encryption; setting it there is the source's job.
      if (r.body.replicate_source_db !== undefined) return undefined;
      return isTrue(r.body.storage_encrypted) ? undefined : { path: 'storage_encrypted', message: 'storage_encrypted is not true' };
    }),
  },
  {
    id: 'TF-018',
    title: 'RDS instances are not publicly accessible',
    severity: 'warning',
    category: 'security',
    checkov: 'CKV_AWS_17',
    check: perResource(['aws_db_instance'], (r) => (isTrue(r.body.publicly_accessible) ? { path: 'publicly_accessible', message: 'the database has a public endpoint' } : undefined)),
  },
  {
    id: 'TF-019',
    title: 'EBS volumes are encrypted',
    severity: 'error',
    category: 'security',
    checkov: 'CKV_AWS_3',
    check: perResource(['aws_ebs_volume'], (r) => (isTrue(r.body.encrypted) ? undefined : { path: 'encrypted', message: 'encrypted is not true' })),
  },
  {
    id: 'TF-020',
    title: 'KMS keys rotate',
    severity: 'warning',
    category: 'security',
    checkov: 'CKV_AWS_7',
    check: perResource(['aws_kms_key'], (r) => (isTrue(r.body.enable_key_rotation) ? undefined : { path: 'enable_key_rotation', message: 'enable_key_rotation is not true' })),
  },
  {
    id: 'TF-021',
    title: 'DynamoDB tables have point-in-time recovery',
    severity: 'warning',
    category: 'reliability',
    checkov: 'CKV_AWS_28',
    check: perResource(['aws_dynamodb_table'], (r) => (isTrue(nested(r.body, 'point_in_time_recovery')?.enabled) ? undefined : { path: 'point_in_time_recovery.enabled', message: 'point-in-time recovery is off' })),
  },
  {
    id: 'TF-022',
    title: 'SNS topics are encrypted',
    severity: 'warning',
    category: 'security',
    checkov: 'CKV_AWS_26',
    check: perResource(['aws_sns_topic'], (r) => (r.body.kms_master_key_id ? undefined : { path: 'kms_master_key_id', message: 'no kms_master_key_id' })),
  },
  {
    id: 'TF-023',
    title: 'SQS queues are encrypted',
    severity: 'warning',
    category: 'security',
    checkov: 'CKV_AWS_27',
    check: perResource(['aws_sqs_queue'], (r) => (r.body.kms_master_key_id || isTrue(r.body.sqs_managed_sse_enabled) ? undefined : { path: 'sqs_managed_sse_enabled', message: 'neither sqs_managed_sse_enabled nor kms_master_key_id is set' })),
  },
  {
    id: 'TF-024',
    title: 'Auto Scaling groups use a launch template',
    severity: 'warning',
    category: 'reliability',
    checkov: 'CKV_AWS_315',
    check: perResource(['aws_autoscaling_group'], (r) => (r.body.launch_configuration !== undefined && r.body.launch_template === undefined && r.body.mixed_instances_policy === undefined ? { path: 'launch_configuration', message: 'launch configurations are deprecated; use a launch template' } : undefined)),
  },
];
