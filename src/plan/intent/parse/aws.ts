/**
 * AWS resources in prose: "an EC2 instance (t3.micro)", "an auto scaling group of 2 to 5", "a
 * security group allowing 443", "an S3 bucket called logs", "RDS postgres with 20 GB"… → an
 * AwsIntent (Terraform types, names, stated attributes, region). Types come from the phrase table
 * (aws/phrases.ts) and from explicit type names ("aws_lambda_function", "db_instance resource").
 * Attributes are read from the words after each mention, up to the next mention.
 */
import type { z } from 'zod';
import { AWS_PHRASES } from '../aws/phrases.js';
import { AWS_TEMPLATES } from '../aws/templates.js';
import type { AwsIntentSchema } from '../spec.js';
import { REQUIRED_ARGUMENTS } from '../terraform/required.js';
import { parseNumber } from './numbers.js';
import { normalise } from './text.js';

export type AwsIntentInput = z.input<typeof AwsIntentSchema>;
type ResourceInput = NonNullable<AwsIntentInput['resources']>[number];

interface Mention {
  type: string;
  start: number;
  end: number;
  count: number;
  /** Introduced with "a/an/another/one" (a new one) rather than "the" (one already named). */
  fresh: boolean;
  name?: string;
  /** Explicit resource type name in the prose ("aws_s3_bucket"). */
  explicit: boolean;
}

const REGION = /\b(?:us|eu|ap|sa|ca|me|af|il|mx)-(?:east|west|north|south|central|northeast|northwest|southeast|southwest)-\d\b/i;
const COUNT_BEFORE = /\b(two|three|four|five|six|seven|eight|nine|ten|\d{1,2}|multiple|several)\s+((?:[\w-]+\s+){0,2})$/i;
/** Words that end a count's reach: "every 5 minutes via EventBridge" counts minutes, not rules. */
const NOT_A_QUALIFIER = /^(?:minutes?|hours?|days?|weeks?|seconds?|gb|gib|mb|tb|ports?|nodes?|via|to|of|at|in|on|for|with|and|or|from|by|the|a|an|times?)$/i;
const FRESH_BEFORE = /\b(?:an?|another|one|new)\s+(?:[\w-]+\s+){0,3}$/i;
/** "for an EKS cluster", "to the Lambda function": the resource is the purpose, not something to create. */
const PURPOSE_BEFORE = /\bfor (?:an? |the |each |every )?(?:amazon |aws )?$|\b(?:by|from|to|of) (?:the |each |every )?(?:amazon |aws )?$/i;
const CALL_BEFORE = /\b(?:call|name)\s+(?:the|this|that|our)\s+$/i;
const INSTANCE_TYPE = /(?<![\w.])([tmcr][3-8][a-z]{0,2}\.(?:nano|micro|small|medium|large|\d*xlarge))\b/i;
const NAME_AFTER = /^\s*(?:resources?\s+)?(?:(?:called|named|with (?:the )?(?:\w+ )?name(?: set to| of)?|(?:bucket |table )?name\s*=)\s*)?["'`]([A-Za-z0-9][\w.\-/]*)["'`]|^\s*(?:called|named)\s+([A-Za-z0-9][\w.-]*[A-Za-z0-9])/i;

/** The phrase's last word is a plural ("subnets", not "DNS record" or "status"). */
function plural(phrase: string): boolean {
  const last = phrase.split(/\s+/).pop() ?? '';
  return (/s$/i.test(last) && !/(?:ss|us|is|dns|aws|s3|efs|sns|sqs|ecs|eks|rds|ips|postgres|kinesis|elasticache)$/i.test(last)) || /ies$/i.test(last);
}

function countOf(before: string, matched: string): number {
  const m = COUNT_BEFORE.exec(before);
  if (m && !m[2].split(/\s+/).some((w) => NOT_A_QUALIFIER.test(w))) {
    const n = /^(?:multiple|several)$/i.test(m[1]) ? 2 : parseNumber(m[1]);
    if (n !== null && n >= 1 && n <= 10) return n;
  }
  return plural(matched.trim()) ? 2 : 1;
}

/** Explicit type names: "aws_lambda_function", "db_instance resource", "sagemaker_app". */
function explicitMentions(text: string, masked: string[]): Mention[] {
  const out: Mention[] = [];
  for (const m of text.matchAll(/\b(aws_)?([a-z0-9]+(?:_[a-z0-9]+)+)\b/g)) {
    let type = `aws_${m[2]}`;
    if (!(type in REQUIRED_ARGUMENTS) && type.endsWith('s') && type.slice(0, -1) in REQUIRED_ARGUMENTS) type = type.slice(0, -1);
    if (!(type in REQUIRED_ARGUMENTS) && !(m[1] && type in AWS_TEMPLATES)) continue;
    const before = text.slice(0, m.index);
    out.push({ type, start: m.index!, end: m.index! + m[0].length, count: countOf(before, m[0]), fresh: FRESH_BEFORE.test(before), explicit: true });
    for (let i = m.index!; i < m.index! + m[0].length; i++) masked[i] = ' ';
  }
  return out;
}

function phraseMentions(text: string, masked: string[]): { mentions: Mention[]; purposes: Mention[] } {
  const out: Mention[] = [];
  const purposes: Mention[] = [];
  for (const phrase of AWS_PHRASES) {
    if (phrase.when && !phrase.when.test(text)) continue;
    const current = masked.join('');
    for (const m of current.matchAll(phrase.re)) {
      const start = m.index!;
      const end = start + m[0].length;
      const before = text.slice(Math.max(0, start - 40), start);
      const around = text.slice(Math.max(0, start - 20), end + 20);
      if (phrase.unless?.test(around)) continue;
      for (let i = start; i < end; i++) masked[i] = ' ';
      const mention = { type: phrase.type, start, end, count: countOf(before, m[0]), fresh: FRESH_BEFORE.test(before), explicit: false };
      (PURPOSE_BEFORE.test(before) ? purposes : out).push(mention);
    }
  }
  return { mentions: out, purposes };
}

// ---- attributes from the words after a mention ---------------------------------------------------

const PORT_NAMES: Record<string, number> = { https: 443, http: 80, ssh: 22, rdp: 3389, mysql: 3306, postgres: 5432, postgresql: 5432, redis: 6379 };

function ports(seg: string): number[] {
  const out: number[] = [];
  for (const m of seg.matchAll(/\b(?:ports?|allow(?:ing|s)?(?: inbound| ingress)?(?: traffic)?(?: on)?(?: port)?|open(?:ing|s)?(?: port)?)\s+((?:\d{2,5}(?:\s*(?:,|and|&|or)\s*)?)+)/gi)) {
    for (const n of m[1].match(/\d{2,5}/g) ?? []) out.push(Number(n));
  }
  for (const m of seg.matchAll(/\b(https|http|ssh|rdp|mysql|postgres(?:ql)?)\b/gi)) out.push(PORT_NAMES[m[1].toLowerCase()]);
  return [...new Set(out.filter((p) => p >= 1 && p <= 65535))];
}

function sizeGb(seg: string): number | undefined {
  const m = /\b(\d{1,5})\s*(?:gb|gib|g)\b/i.exec(seg);
  return m ? Number(m[1]) : undefined;
}

function schedule(seg: string): string | undefined {
  const at = /every ?day at (\d{1,2})(?::(\d\d))?\s*(?:utc|am)?/i.exec(seg);
  if (at) return `cron(${Number(at[2] ?? 0)} ${Number(at[1])} * * ? *)`;
  const every = /every (\d+) (minute|hour|day)s?/i.exec(seg);
  if (every) return `rate(${every[1]} ${every[2].toLowerCase()}${every[1] === '1' ? '' : 's'})`;
  if (/\bhourly\b|every hour/i.test(seg)) return 'rate(1 hour)';
  if (/\bdaily\b|every ?day/i.test(seg)) return 'rate(1 day)';
  return undefined;
}

/** Attributes a request states about one resource, from its segment of the text (and the whole text for global facts). */
function attributesFor(type: string, seg: string, whole: string): Record<string, unknown> {
  const a: Record<string, unknown> = {};
  switch (type) {
    case 'aws_instance':
    case 'aws_launch_template': {
      const t = INSTANCE_TYPE.exec(whole);
      if (t) a.instance_type = t[1].toLowerCase();
      break;
    }
    case 'aws_autoscaling_group': {
      const range = /\b(?:of|from|between)\s+(\d+)\s+(?:to|and|-)\s+(\d+)\b/i.exec(seg);
      const min = /\bmin(?:imum)?(?: size)?(?: of)?\s*(?:=|:)?\s*(\d+)/i.exec(seg);
      const max = /\bmax(?:imum)?(?: size)?(?: of)?\s*(?:=|:)?\s*(\d+)/i.exec(seg);
      if (range) [a.min_size, a.max_size] = [Number(range[1]), Number(range[2])];
      if (min) a.min_size = Number(min[1]);
      if (max) a.max_size = Number(max[1]);
      break;
    }
    case 'aws_security_group': {
      const ps = ports(seg);
      if (ps.length > 0) a.ingress_ports = ps;
      if (/from anywhere|0\.0\.0\.0\/0|\bpublic(?:ly)? access|from the internet/i.test(seg)) a.public_ingress = true;
      break;
    }
    case 'aws_vpc_security_group_ingress_rule': {
      const [port] = ports(seg);
      if (port) a.port = port;
      break;
    }
    case 'aws_s3_bucket':
      if (/force(?:d)?[ _](?:destroy|destruction)/i.test(seg)) a.force_destroy = true;
      if (/object lock/i.test(seg)) a.object_lock_enabled = true;
      if (/versioning (?:is )?disabled|disabled? versioning|without versioning|no versioning/i.test(seg)) a.versioning = false;
      break;
    case 'aws_db_instance':
    case 'aws_rds_cluster':
    case 'aws_db_parameter_group': {
      const engine = /\b(aurora[- ]mysql|aurora[- ]postgres(?:ql)?|postgres(?:ql)?|mysql|mariadb|sql ?server(?:-ee|-se|-ex|-web)?|oracle)\b/i.exec(whole);
      if (engine) {
        const e = engine[1].toLowerCase().replace(/ /g, '-').replace(/postgresql$/, 'postgres').replace(/^sql-?server$/, 'sqlserver-ex');
        a.engine = type === 'aws_rds_cluster' ? (e.startsWith('aurora') ? e.replace('postgres', 'postgresql') : `aurora-${e === 'postgres' ? 'postgresql' : e}`) : e.replace(/^aurora-/, '');
      }
      const version = /\b(?:postgres(?:ql)?|mysql|mariadb)\s+(?:version\s+)?(\d+(?:\.\d+)?)\b|\bversion (?:should be |is |of )?(\d+(?:\.\d+)?)\b|\b(\d+\.\d+) (?:postgres(?:ql)?|mysql|mariadb)\b/i.exec(whole);
      if (version) a.engine_version = version[1] ?? version[2] ?? version[3];
      if (type === 'aws_db_instance') {
        const size = sizeGb(whole);
        if (size) a.allocated_storage = size;
        const cls = /\b(db\.[a-z0-9]+\.[a-z0-9]+)\b/i.exec(whole);
        if (cls) a.instance_class = cls[1].toLowerCase();
        if (/skip(?:s|ping)? (?:the )?final[_ ]?snapshot/i.test(whole)) a.skip_final_snapshot = true;
      }
      break;
    }
    case 'aws_dynamodb_table': {
      const read = /read capacity\s*(?:=|of|:)?\s*(\d+)/i.exec(seg);
      const write = /write capacity\s*(?:=|of|:)?\s*(\d+)/i.exec(seg);
      if (read) a.read_capacity = Number(read[1]);
      if (write) a.write_capacity = Number(write[1]);
      const key = /(?:hash|partition) key\s*(?:=|of|:|called|named)?\s*["']?(\w+)/i.exec(seg);
      if (key) a.hash_key = key[1];
      break;
    }
    case 'aws_lambda_function': {
      const runtime = /\b(python3\.\d+|nodejs\d+\.x|java\d+|ruby3\.\d|dotnet\d+|provided\.al2023)\b/i.exec(whole);
      if (runtime) a.runtime = runtime[1].toLowerCase();
      const zip = /["']([^"']+\.zip)["']/.exec(whole);
      if (zip) a.filename = zip[1];
      break;
    }
    case 'aws_redshift_cluster': {
      const nodes = /\b(\d+|two|three|four|five)[ -]node/i.exec(whole);
      const n = nodes ? parseNumber(nodes[1]) : null;
      if (n) a.number_of_nodes = n;
      break;
    }
    case 'aws_vpc': {
      const cidr = /\b(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\/\d{1,2})\b/.exec(seg);
      if (cidr) a.cidr_block = cidr[1];
      if (/dedicated[- ]tenancy/i.test(whole)) a.instance_tenancy = 'dedicated';
      break;
    }
    case 'aws_route53_zone': {
      const domain = /\b((?:[a-z0-9-]+\.)+(?:com|net|org|io|dev|app|cloud|local|internal))\b/i.exec(seg);
      if (domain) a.domain = domain[1].toLowerCase();
      break;
    }
    case 'aws_cloudwatch_event_rule': {
      const s = schedule(whole);
      if (s) a.schedule_expression = s;
      break;
    }
    case 'aws_kms_key': {
      const days = /deletion window (?:of |in days )?(?:of )?(\d+)/i.exec(seg);
      if (days) a.deletion_window_in_days = Number(days[1]);
      break;
    }
    case 'aws_s3_bucket_notification': {
      const suffix = /(\.[a-z0-9]{1,8}) (?:objects?|files?)\b/i.exec(whole);
      if (suffix) a.filter_suffix = suffix[1];
      break;
    }
    case 'aws_s3_bucket_object_lock_configuration': {
      const days = /\b(\d+) days?\b/i.exec(whole);
      if (days) a.days = Number(days[1]);
      if (/\bcompliance mode\b/i.test(whole)) a.mode = 'COMPLIANCE';
      break;
    }
    case 'aws_kinesis_firehose_delivery_stream': {
      // The destination is usually its own mention ("with an OpenSearch destination"): read the whole request.
      const dest = /\b(opensearch|elasticsearch|splunk|http endpoint)\b/i.exec(whole);
      if (dest) a.destination = { opensearch: 'opensearch', elasticsearch: 'opensearch', splunk: 'splunk', 'http endpoint': 'http_endpoint' }[dest[1].toLowerCase()];
      if (/\bwith(?:in)? (?:a |the )?vpc\b/i.test(whole)) a.vpc = true;
      break;
    }
    case 'aws_msk_cluster': {
      const brokers = /\b(\d+|two|three|four|five|six)\s+broker/i.exec(whole);
      const n = brokers ? parseNumber(brokers[1]) : null;
      if (n) a.number_of_broker_nodes = n;
      break;
    }
    case 'aws_lightsail_instance':
      if (/dual-?stack/i.test(whole)) a.ip_address_type = 'dualstack';
      break;
    case 'aws_glacier_vault':
      if (/access policy/i.test(whole)) a.access_policy = true;
      break;
    case 'aws_codebuild_project':
      if (/secondary artifa\w*/i.test(whole)) a.secondary_artifacts = true;
      break;
    case 'aws_elastic_beanstalk_environment':
      if (/\bworker\b/i.test(seg)) a.tier = 'Worker';
      break;
    case 'aws_lb':
      if (/\bnetwork load balancer|\bnlb\b/i.test(seg)) a.load_balancer_type = 'network';
      break;
    case 'aws_elasticache_cluster':
      if (/memcached/i.test(seg)) a.engine = 'memcached';
      break;
    case 'aws_lightsail_disk':
    case 'aws_ebs_volume': {
      const size = sizeGb(seg);
      if (size) a[type === 'aws_ebs_volume' ? 'size' : 'size_in_gb'] = size;
      break;
    }
  }
  return a;
}

export function findAwsIntent(prose: string): AwsIntentInput | undefined {
  const text = normalise(prose);
  const masked = [...text];
  const explicit = explicitMentions(text, masked);
  const phrases = phraseMentions(text, masked);
  // A request that names a resource only as a purpose ("recovery for the DynamoDB table") is about that resource.
  const found = [...explicit, ...phrases.mentions];
  const mentions = (found.length > 0 ? found : phrases.purposes).sort((x, y) => x.start - y.start);
  for (const m of mentions) {
    const name = NAME_AFTER.exec(text.slice(m.end, m.end + 80));
    // "call the bucket logs": after "call/name the …" a bare word is the name too.
    const bare = CALL_BEFORE.test(text.slice(Math.max(0, m.start - 20), m.start)) ? /^\s+([A-Za-z0-9][\w.-]*[A-Za-z0-9])/.exec(text.slice(m.end, m.end + 80)) : null;
    if (name) m.name = name[1] ?? name[2];
    else if (bare && !/^(?:and|with|in|to|for|that|which)$/i.test(bare[1])) m.name = bare[1];
  }
  // An instance type alone ("a t3.micro running nginx") asks for an instance; with an ASG, for its launch template.
  const instanceType = INSTANCE_TYPE.exec(text);
  const has = (t: string) => mentions.some((m) => m.type === t);
  if (instanceType && !has('aws_instance') && !has('aws_launch_template') && !has('aws_launch_configuration')) {
    mentions.push({ type: has('aws_autoscaling_group') ? 'aws_launch_template' : 'aws_instance', start: instanceType.index, end: instanceType.index + instanceType[0].length, count: 1, fresh: true, explicit: false });
    mentions.sort((x, y) => x.start - y.start);
  }
  if (mentions.length === 0) return undefined;

  // One entry per distinct resource: named mentions are distinct by name; unnamed ones count as
  // many as the largest number said, or as often as "a/an/another" introduces a new one.
  const byType = new Map<string, Mention[]>();
  for (const m of mentions) byType.set(m.type, [...(byType.get(m.type) ?? []), m]);
  const resources: { at: number; r: ResourceInput }[] = [];
  for (const [type, ms] of byType) {
    const names = [...new Set(ms.map((m) => m.name).filter((n): n is string => !!n))];
    // "a bucket … call the bucket X" is one bucket; "a bucket "a" and another bucket" two.
    const fresh = ms.filter((m) => m.fresh && !m.name).length + new Set(ms.filter((m) => m.fresh && m.name).map((m) => m.name)).size;
    const total = Math.max(names.length, ...ms.map((m) => m.count), fresh);
    for (let i = 0; i < total; i++) {
      const name = names[i];
      const m = (name ? ms.find((x) => x.name === name) : ms[Math.min(i, ms.length - 1)])!;
      const next = mentions.find((x) => x.start > m.end && x.type !== m.type);
      const seg = text.slice(m.start, next ? next.start : text.length);
      const attributes = attributesFor(type, seg, text);
      if (type === 'aws_s3_bucket' && name) attributes.bucket = name;
      resources.push({ at: m.start + i / 100, r: { type, ...(name ? { name } : {}), attributes } });
    }
  }
  // "associate them (the subnets) with the route table": one association per subnet.
  const subnets = resources.filter((x) => x.r.type === 'aws_subnet').length;
  const associations = resources.filter((x) => x.r.type === 'aws_route_table_association');
  for (let n = associations.length; associations.length > 0 && n < subnets; n++) resources.push({ at: associations[0].at + n / 1000, r: { type: 'aws_route_table_association', attributes: {} } });
  const region = REGION.exec(text)?.[0].toLowerCase();
  return { ...(region ? { region } : {}), resources: resources.sort((a, b) => a.at - b.at).map((x) => x.r) };
}
