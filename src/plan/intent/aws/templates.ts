/**
 * One template per AWS resource type the builder writes: its required arguments (see
 * terraform/required-aws.ts) and secure defaults (IMDSv2, encrypted volumes and storage, S3
 * versioning/encryption/public-access block, restricted security groups, least-privilege trust
 * policies), wired to the other resources through BuildContext references. `accepts` lists the
 * arguments a request may state that are copied as given (scalars only); anything else stated is
 * ignored, never copied blindly.
 */
import { attr, block, expr, type HclNode, type HclValue } from '../terraform/hcl.js';
import type { BuildContext } from './context.js';

export interface AwsTemplate {
  accepts: readonly string[];
  build(ctx: BuildContext): (HclNode | undefined | false)[];
  /** Resources written right after this one unless the bundle already has them for it (S3 companions). */
  companions?(ctx: BuildContext): string[];
}

const tags = (ctx: BuildContext): HclNode => attr('tags', { Name: ctx.self.display });
const AL2023_AMI = (ctx: BuildContext) =>
  expr(`${ctx.data('aws_ami', 'al2023', [attr('most_recent', true), attr('owners', ['amazon']), block('filter', [], [attr('name', 'name'), attr('values', ['al2023-ami-*-x86_64'])])])}.id`);
const AZS = (ctx: BuildContext) => `${ctx.data('aws_availability_zones', 'available', [attr('state', 'available')])}.names`;
const IMDSV2 = block('metadata_options', [], [attr('http_endpoint', 'enabled'), attr('http_tokens', 'required')]);
const ADMIN_PORTS = new Set([22, 3389]);

/** The AWS service a role created for this bundle is assumed by. */
function trustedService(ctx: BuildContext): string {
  const stated = ctx.str('service');
  if (stated) return stated;
  const order: [string, string][] = [
    ['aws_lambda_function', 'lambda.amazonaws.com'],
    ['aws_eks_cluster', 'eks.amazonaws.com'],
    ['aws_codebuild_project', 'codebuild.amazonaws.com'],
    ['aws_kinesis_firehose_delivery_stream', 'firehose.amazonaws.com'],
    ['aws_redshift_cluster', 'redshift.amazonaws.com'],
  ];
  return order.find(([t]) => ctx.has(t))?.[1] ?? 'ec2.amazonaws.com';
}

/** The AWS-managed policy a role for this service needs to do its job at all (least privilege AWS maintains). */
const SERVICE_POLICY: Record<string, string> = {
  'lambda.amazonaws.com': 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
  'eks.amazonaws.com': 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
  'ec2.amazonaws.com': 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
};

function assumeRolePolicy(ctx: BuildContext, service: string): HclValue {
  const doc = ctx.data('aws_iam_policy_document', `${ctx.self.label}_assume`, [
    block('statement', [], [attr('effect', 'Allow'), attr('actions', ['sts:AssumeRole']), block('principals', [], [attr('type', 'Service'), attr('identifiers', [service])])]),
  ]);
  return expr(`${doc}.json`);
}

/** Ingress rules for the stated ports: admin ports only from var.admin_cidr, others from the stated or a private range. */
function ingressBlocks(ctx: BuildContext): HclNode[] {
  const ports = (Array.isArray(ctx.self.stated.ingress_ports) ? ctx.self.stated.ingress_ports : []).filter((p): p is number => typeof p === 'number');
  const open = ctx.bool('public_ingress') === true;
  return ports.map((port) => {
    const source = ADMIN_PORTS.has(port) ? [ctx.variable('admin_cidr', 'CIDR range allowed to reach administrative ports (SSH/RDP), e.g. your VPN')] : open ? ['0.0.0.0/0'] : [ctx.variable('allowed_cidr', 'CIDR range allowed to reach the service ports')];
    return block('ingress', [], [attr('description', `Allow TCP ${port}`), attr('from_port', port), attr('to_port', port), attr('protocol', 'tcp'), attr('cidr_blocks', source)]);
  });
}

function dbEngine(ctx: BuildContext): string {
  return ctx.str('engine') ?? 'postgres';
}

function dbFamily(engine: string, version: string | undefined): string {
  const major = version?.split('.')[0];
  if (engine.startsWith('mysql')) return `mysql${version?.startsWith('5.7') ? '5.7' : '8.0'}`;
  if (engine.startsWith('mariadb')) return 'mariadb10.11';
  return `postgres${major && /^\d+$/.test(major) ? major : '16'}`;
}

const S3_COMPANIONS = ['aws_s3_bucket_versioning', 'aws_s3_bucket_server_side_encryption_configuration', 'aws_s3_bucket_public_access_block'];

export const AWS_TEMPLATES: Record<string, AwsTemplate> = {
  aws_vpc: {
    accepts: ['cidr_block', 'instance_tenancy', 'enable_dns_support', 'enable_dns_hostnames'],
    build: (ctx) => [attr('cidr_block', `10.${ctx.index}.0.0/16`), attr('enable_dns_support', true), attr('enable_dns_hostnames', true), tags(ctx)],
  },
  aws_subnet: {
    accepts: ['cidr_block', 'availability_zone', 'map_public_ip_on_launch'],
    build: (ctx) => [
      attr('vpc_id', ctx.ref('aws_vpc', 'id')),
      attr('cidr_block', expr(`cidrsubnet(${ctx.ref('aws_vpc', 'cidr_block').text}, 8, ${ctx.index + 1})`)),
      attr('availability_zone', expr(`element(${AZS(ctx)}, ${ctx.index})`)),
      tags(ctx),
    ],
  },
  aws_internet_gateway: { accepts: [], build: (ctx) => [attr('vpc_id', ctx.ref('aws_vpc', 'id')), tags(ctx)] },
  aws_eip: { accepts: [], build: (ctx) => [attr('domain', 'vpc'), tags(ctx)] },
  aws_nat_gateway: { accepts: [], build: (ctx) => [attr('allocation_id', ctx.ref('aws_eip', 'id')), attr('subnet_id', ctx.ref('aws_subnet', 'id')), tags(ctx)] },
  aws_route_table: {
    accepts: [],
    build: (ctx) => {
      const igw = ctx.refIfPlanned('aws_internet_gateway', 'id');
      return [attr('vpc_id', ctx.ref('aws_vpc', 'id')), igw && block('route', [], [attr('cidr_block', '0.0.0.0/0'), attr('gateway_id', igw)]), tags(ctx)];
    },
  },
  aws_route_table_association: {
    accepts: [],
    build: (ctx) => {
      const subnets = ctx.refsAll('aws_subnet', 'id');
      return [attr('subnet_id', subnets.length > 0 ? subnets[ctx.index % subnets.length] : ctx.ref('aws_subnet', 'id')), attr('route_table_id', ctx.ref('aws_route_table', 'id'))];
    },
  },
  aws_network_acl: { accepts: [], build: (ctx) => [attr('vpc_id', ctx.ref('aws_vpc', 'id')), tags(ctx)] },
  aws_default_network_acl: { accepts: [], build: (ctx) => [attr('default_network_acl_id', ctx.ref('aws_vpc', 'default_network_acl_id')), tags(ctx)] },
  aws_vpc_dhcp_options: {
    accepts: ['domain_name'],
    build: (ctx) => [attr('domain_name_servers', ['AmazonProvidedDNS']), tags(ctx)],
    // Options for a requested VPC only take effect once associated with it.
    companions: (ctx) => (ctx.has('aws_vpc') ? ['aws_vpc_dhcp_options_association'] : []),
  },
  aws_vpc_dhcp_options_association: { accepts: [], build: (ctx) => [attr('vpc_id', ctx.ref('aws_vpc', 'id')), attr('dhcp_options_id', ctx.ref('aws_vpc_dhcp_options', 'id'))] },
  aws_vpc_peering_connection: {
    accepts: [],
    build: (ctx) => [attr('vpc_id', ctx.refAt('aws_vpc', 0, 'id')), attr('peer_vpc_id', ctx.refAt('aws_vpc', 1, 'id')), attr('auto_accept', true), tags(ctx)],
  },
  aws_security_group: {
    accepts: [],
    build: (ctx) => [
      attr('name', ctx.self.display),
      attr('description', ctx.str('description') ?? `Security group ${ctx.self.display}`),
      ctx.has('aws_vpc') && attr('vpc_id', ctx.ref('aws_vpc', 'id')),
      ...ingressBlocks(ctx),
      // Outbound HTTPS only (package mirrors, AWS APIs); all-protocol egress to the internet is what CKV_AWS_382 flags.
      block('egress', [], [attr('description', 'HTTPS to the internet'), attr('from_port', 443), attr('to_port', 443), attr('protocol', 'tcp'), attr('cidr_blocks', ['0.0.0.0/0'])]),
      tags(ctx),
    ],
  },
  aws_vpc_security_group_ingress_rule: {
    accepts: ['cidr_ipv4'],
    build: (ctx) => {
      const port = ctx.num('port') ?? 443;
      return [
        attr('security_group_id', ctx.ref('aws_security_group', 'id')),
        attr('description', `Allow TCP ${port}`),
        attr('ip_protocol', 'tcp'),
        attr('from_port', port),
        attr('to_port', port),
        attr('cidr_ipv4', ADMIN_PORTS.has(port) ? ctx.variable('admin_cidr', 'CIDR range allowed to reach administrative ports (SSH/RDP), e.g. your VPN') : ctx.variable('allowed_cidr', 'CIDR range allowed to reach the service ports')),
      ];
    },
  },
  aws_vpc_security_group_egress_rule: {
    accepts: [],
    build: (ctx) => [attr('security_group_id', ctx.ref('aws_security_group', 'id')), attr('description', 'HTTPS to the internet'), attr('ip_protocol', 'tcp'), attr('from_port', 443), attr('to_port', 443), attr('cidr_ipv4', '0.0.0.0/0')],
  },
  aws_instance: {
    accepts: ['instance_type', 'ami', 'key_name', 'user_data'],
    build: (ctx) => {
      const sg = ctx.refIfPlanned('aws_security_group', 'id');
      const subnets = ctx.refsAll('aws_subnet', 'id');
      const subnet = subnets.length > 0 ? subnets[ctx.index % subnets.length] : undefined;
      const profile = ctx.refIfPlanned('aws_iam_instance_profile', 'name');
      return [
        attr('ami', AL2023_AMI(ctx)),
        attr('instance_type', 't3.micro'),
        subnet && attr('subnet_id', subnet),
        sg && attr('vpc_security_group_ids', [sg]),
        profile && attr('iam_instance_profile', profile),
        attr('monitoring', true),
        attr('ebs_optimized', true),
        IMDSV2,
        block('root_block_device', [], [attr('encrypted', true), attr('volume_type', 'gp3')]),
        tags(ctx),
      ];
    },
  },
  aws_launch_template: {
    accepts: ['instance_type', 'image_id', 'key_name'],
    build: (ctx) => {
      const sg = ctx.refIfPlanned('aws_security_group', 'id');
      return [
        attr('name_prefix', `${ctx.self.display}-`),
        attr('image_id', AL2023_AMI(ctx)),
        attr('instance_type', ctx.str('instance_type') ?? 't3.micro'),
        sg && attr('vpc_security_group_ids', [sg]),
        attr('ebs_optimized', true),
        IMDSV2,
        block('monitoring', [], [attr('enabled', true)]),
        block('block_device_mappings', [], [attr('device_name', '/dev/xvda'), block('ebs', [], [attr('encrypted', true), attr('volume_type', 'gp3'), attr('volume_size', 8)])]),
        tags(ctx),
      ];
    },
  },
  aws_autoscaling_group: {
    accepts: ['min_size', 'max_size', 'desired_capacity'],
    build: (ctx) => {
      const min = ctx.num('min_size') ?? 1;
      const subnets = ctx.refsAll('aws_subnet', 'id');
      return [
        attr('name_prefix', `${ctx.self.display}-`),
        attr('min_size', min),
        attr('max_size', Math.max(min, ctx.num('max_size') ?? min)),
        attr('desired_capacity', min),
        subnets.length > 0 ? attr('vpc_zone_identifier', subnets) : attr('availability_zones', expr(`slice(${AZS(ctx)}, 0, 2)`)),
        attr('health_check_type', 'EC2'),
        block('launch_template', [], [attr('id', ctx.ref('aws_launch_template', 'id')), attr('version', '$Latest')]),
        block('tag', [], [attr('key', 'Name'), attr('value', ctx.self.display), attr('propagate_at_launch', true)]),
      ];
    },
  },
  aws_ebs_volume: {
    accepts: ['size', 'type'],
    build: (ctx) => [attr('availability_zone', expr(`${AZS(ctx)}[0]`)), attr('size', 8), attr('type', 'gp3'), attr('encrypted', true), tags(ctx)],
  },
  aws_s3_bucket: {
    accepts: ['force_destroy', 'object_lock_enabled'],
    build: (ctx) => [ctx.str('bucket') ? attr('bucket', ctx.str('bucket')!) : attr('bucket_prefix', `${ctx.self.display.toLowerCase().replace(/[^a-z0-9-]/g, '-')}-`), tags(ctx)],
    companions: () => S3_COMPANIONS,
  },
  aws_s3_bucket_versioning: {
    accepts: ['expected_bucket_owner'],
    build: (ctx) => [attr('bucket', ctx.ref('aws_s3_bucket', 'id')), block('versioning_configuration', [], [attr('status', ctx.bool('enabled') === false ? 'Disabled' : 'Enabled')])],
  },
  aws_s3_bucket_server_side_encryption_configuration: {
    accepts: [],
    build: (ctx) => {
      const key = ctx.refIfPlanned('aws_kms_key', 'arn');
      return [attr('bucket', ctx.ref('aws_s3_bucket', 'id')), block('rule', [], [block('apply_server_side_encryption_by_default', [], [attr('sse_algorithm', 'aws:kms'), key && attr('kms_master_key_id', key)]), attr('bucket_key_enabled', true)])];
    },
  },
  aws_s3_bucket_public_access_block: {
    accepts: [],
    build: (ctx) => [attr('bucket', ctx.ref('aws_s3_bucket', 'id')), attr('block_public_acls', true), attr('block_public_policy', true), attr('ignore_public_acls', true), attr('restrict_public_buckets', true)],
  },
  aws_s3_bucket_ownership_controls: {
    accepts: [],
    build: (ctx) => [attr('bucket', ctx.ref('aws_s3_bucket', 'id')), block('rule', [], [attr('object_ownership', ctx.str('object_ownership') ?? (ctx.has('aws_s3_bucket_acl') ? 'BucketOwnerPreferred' : 'BucketOwnerEnforced'))])],
  },
  aws_s3_bucket_acl: {
    accepts: [],
    build: (ctx) => {
      const oc = ctx.refIfPlanned('aws_s3_bucket_ownership_controls', 'id');
      return [attr('bucket', ctx.ref('aws_s3_bucket', 'id')), attr('acl', 'private'), oc && attr('depends_on', [expr(oc.text.replace(/\.id$/, ''))])];
    },
  },
  aws_s3_bucket_logging: {
    accepts: [],
    build: (ctx) => [attr('bucket', ctx.refAt('aws_s3_bucket', 0, 'id')), attr('target_bucket', ctx.refAt('aws_s3_bucket', 1, 'id')), attr('target_prefix', 'access-logs/')],
  },
  aws_s3_bucket_request_payment_configuration: { accepts: ['payer'], build: (ctx) => [attr('bucket', ctx.ref('aws_s3_bucket', 'id')), attr('payer', 'BucketOwner')] },
  aws_s3_object: {
    accepts: ['key', 'source', 'content_type'],
    build: (ctx) => [attr('bucket', ctx.ref('aws_s3_bucket', 'id')), attr('key', ctx.str('source')?.split('/').pop() ?? 'example.txt'), !ctx.str('source') && attr('content', ''), attr('server_side_encryption', 'aws:kms')],
  },
  aws_s3_bucket_notification: {
    accepts: [],
    build: (ctx) => {
      const suffix = ctx.str('filter_suffix');
      const target = ctx.has('aws_lambda_function') && !ctx.has('aws_sns_topic')
        ? block('lambda_function', [], [attr('lambda_function_arn', ctx.ref('aws_lambda_function', 'arn')), attr('events', ['s3:ObjectCreated:*']), suffix !== undefined && attr('filter_suffix', suffix)])
        : ctx.has('aws_sqs_queue') && !ctx.has('aws_sns_topic')
          ? block('queue', [], [attr('queue_arn', ctx.ref('aws_sqs_queue', 'arn')), attr('events', ['s3:ObjectCreated:*']), suffix !== undefined && attr('filter_suffix', suffix)])
          : block('topic', [], [attr('topic_arn', ctx.ref('aws_sns_topic', 'arn')), attr('events', ['s3:ObjectCreated:*']), suffix !== undefined && attr('filter_suffix', suffix)]);
      return [attr('bucket', ctx.ref('aws_s3_bucket', 'id')), target];
    },
  },
  aws_s3_bucket_object_lock_configuration: {
    accepts: [],
    build: (ctx) => [
      attr('bucket', ctx.ref('aws_s3_bucket', 'id')),
      block('rule', [], [block('default_retention', [], [attr('mode', ctx.str('mode') ?? 'GOVERNANCE'), attr('days', ctx.num('days') ?? 30)])]),
    ],
  },
  aws_s3_bucket_intelligent_tiering_configuration: {
    accepts: [],
    build: (ctx) => [attr('bucket', ctx.ref('aws_s3_bucket', 'id')), attr('name', 'EntireBucket'), block('tiering', [], [attr('access_tier', 'ARCHIVE_ACCESS'), attr('days', 125)])],
  },
  aws_s3_bucket_inventory: {
    accepts: [],
    build: (ctx) => [
      attr('bucket', ctx.refAt('aws_s3_bucket', 0, 'id')),
      attr('name', 'EntireBucketDaily'),
      attr('included_object_versions', 'All'),
      block('schedule', [], [attr('frequency', ctx.str('frequency') ?? 'Daily')]),
      block('destination', [], [block('bucket', [], [attr('format', 'CSV'), attr('bucket_arn', ctx.refAt('aws_s3_bucket', 1, 'arn'))])]),
    ],
  },
  aws_s3_bucket_metric: { accepts: [], build: (ctx) => [attr('bucket', ctx.ref('aws_s3_bucket', 'id')), attr('name', ctx.self.display)] },
  aws_s3_bucket_policy: {
    accepts: [],
    build: (ctx) => {
      const bucketArn = ctx.ref('aws_s3_bucket', 'arn').text;
      const distribution = ctx.refIfPlanned('aws_cloudfront_distribution', 'arn');
      // Serving through CloudFront: only that distribution may read. Otherwise: refuse requests without TLS.
      const statement = distribution
        ? [
            attr('sid', 'AllowCloudFrontRead'),
            attr('actions', ['s3:GetObject']),
            attr('resources', [expr(`"\${${bucketArn}}/*"`)]),
            block('principals', [], [attr('type', 'Service'), attr('identifiers', ['cloudfront.amazonaws.com'])]),
            block('condition', [], [attr('test', 'StringEquals'), attr('variable', 'AWS:SourceArn'), attr('values', [distribution])]),
          ]
        : [
            attr('sid', 'DenyInsecureTransport'),
            attr('effect', 'Deny'),
            attr('actions', ['s3:*']),
            attr('resources', [expr(bucketArn), expr(`"\${${bucketArn}}/*"`)]),
            block('principals', [], [attr('type', '*'), attr('identifiers', ['*'])]),
            block('condition', [], [attr('test', 'Bool'), attr('variable', 'aws:SecureTransport'), attr('values', ['false'])]),
          ];
      const doc = ctx.data('aws_iam_policy_document', `${ctx.self.label}_bucket`, [block('statement', [], statement)]);
      return [attr('bucket', ctx.ref('aws_s3_bucket', 'id')), attr('policy', expr(`${doc}.json`))];
    },
  },
  aws_cloudfront_origin_access_control: {
    accepts: [],
    build: (ctx) => [attr('name', ctx.self.display), attr('origin_access_control_origin_type', 's3'), attr('signing_behavior', 'always'), attr('signing_protocol', 'sigv4')],
  },
  aws_cloudfront_distribution: {
    accepts: ['default_root_object', 'price_class'],
    build: (ctx) => [
      attr('enabled', true),
      attr('default_root_object', 'index.html'),
      attr('price_class', 'PriceClass_100'),
      block('origin', [], [attr('domain_name', ctx.ref('aws_s3_bucket', 'bucket_regional_domain_name')), attr('origin_id', 's3'), attr('origin_access_control_id', ctx.ref('aws_cloudfront_origin_access_control', 'id'))]),
      block('default_cache_behavior', [], [
        attr('target_origin_id', 's3'),
        attr('allowed_methods', ['GET', 'HEAD']),
        attr('cached_methods', ['GET', 'HEAD']),
        attr('viewer_protocol_policy', 'redirect-to-https'),
        // AWS managed policy "CachingOptimized".
        attr('cache_policy_id', '658327ea-f89d-4fab-a63d-7e88639e58f6'),
      ]),
      block('restrictions', [], [block('geo_restriction', [], [attr('restriction_type', 'none')])]),
      block('viewer_certificate', [], [attr('cloudfront_default_certificate', true)]),
      tags(ctx),
    ],
    // The bucket stays private: CloudFront reads it through an origin access control the bucket policy trusts.
    companions: () => ['aws_cloudfront_origin_access_control', 'aws_s3_bucket_policy'],
  },
  aws_efs_file_system: { accepts: [], build: (ctx) => [attr('creation_token', ctx.self.display), attr('encrypted', true), tags(ctx)] },
  aws_glacier_vault: {
    accepts: [],
    build: (ctx) => {
      const topic = ctx.refIfPlanned('aws_sns_topic', 'arn');
      // An access policy, when asked for: deny every request that does not use TLS.
      const policy =
        ctx.bool('access_policy') &&
        ctx.data('aws_iam_policy_document', `${ctx.self.label}_vault`, [
          block('statement', [], [
            attr('sid', 'DenyInsecureTransport'),
            attr('effect', 'Deny'),
            attr('actions', ['glacier:*']),
            attr('resources', [expr(`"arn:aws:glacier:\${${ctx.data('aws_region', 'current', [])}.name}:\${${ctx.data('aws_caller_identity', 'current', [])}.account_id}:vaults/${ctx.self.display}"`)]),
            block('principals', [], [attr('type', '*'), attr('identifiers', ['*'])]),
            block('condition', [], [attr('test', 'Bool'), attr('variable', 'aws:SecureTransport'), attr('values', ['false'])]),
          ]),
        ]);
      return [
        attr('name', ctx.self.display),
        policy ? attr('access_policy', expr(`${policy}.json`)) : undefined,
        topic && block('notification', [], [attr('sns_topic', topic), attr('events', ['ArchiveRetrievalCompleted', 'InventoryRetrievalCompleted'])]),
        tags(ctx),
      ];
    },
  },
  aws_kms_key: { accepts: ['description', 'deletion_window_in_days'], build: (ctx) => [attr('description', `Key for ${ctx.self.display}`), attr('deletion_window_in_days', 30), attr('enable_key_rotation', true), tags(ctx)] },
  aws_iam_role: {
    accepts: [],
    build: (ctx) => [attr('name', ctx.self.display), attr('assume_role_policy', assumeRolePolicy(ctx, trustedService(ctx))), tags(ctx)],
    // A role for a compute service is useless without the service's basic permissions (logs, SSM, cluster API).
    companions: (ctx) => (ctx.has('aws_lambda_function') || ctx.has('aws_eks_cluster') || ctx.has('aws_iam_instance_profile') ? ['aws_iam_role_policy_attachment'] : []),
  },
  aws_iam_policy: {
    accepts: ['description'],
    build: (ctx) => {
      const bucket = ctx.refIfPlanned('aws_s3_bucket', 'arn');
      const statement = bucket
        ? [attr('effect', 'Allow'), attr('actions', ['s3:GetObject', 's3:PutObject']), attr('resources', [expr(`"\${${bucket.text}}/*"`)])]
        : [attr('effect', 'Allow'), attr('actions', ['logs:CreateLogStream', 'logs:PutLogEvents']), attr('resources', ['arn:aws:logs:*:*:*'])];
      const doc = ctx.data('aws_iam_policy_document', ctx.self.label, [block('statement', [], statement)]);
      return [attr('name', ctx.self.display), attr('policy', expr(`${doc}.json`))];
    },
  },
  aws_iam_role_policy_attachment: {
    accepts: ['policy_arn'],
    build: (ctx) => {
      const policy = ctx.refIfPlanned('aws_iam_policy', 'arn');
      const managed = ctx.has('aws_elastic_beanstalk_environment') ? 'arn:aws:iam::aws:policy/AWSElasticBeanstalkWebTier' : (SERVICE_POLICY[trustedService(ctx)] ?? SERVICE_POLICY['ec2.amazonaws.com']);
      return [attr('role', ctx.ref('aws_iam_role', 'name')), attr('policy_arn', policy ?? managed)];
    },
  },
  aws_iam_instance_profile: { accepts: [], build: (ctx) => [attr('name', ctx.self.display), attr('role', ctx.ref('aws_iam_role', 'name'))] },
  aws_iam_user: { accepts: ['path'], build: (ctx) => [attr('name', ctx.self.display), tags(ctx)] },
  aws_lambda_function: {
    accepts: ['filename', 'handler', 'runtime', 'memory_size', 'timeout'],
    build: (ctx) => [
      attr('function_name', ctx.self.display),
      attr('role', ctx.ref('aws_iam_role', 'arn')),
      attr('filename', 'lambda_function_payload.zip'),
      attr('handler', 'index.handler'),
      attr('runtime', 'python3.12'),
      block('tracing_config', [], [attr('mode', 'Active')]),
      tags(ctx),
    ],
  },
  aws_lambda_permission: {
    accepts: [],
    build: (ctx) => {
      const [principal, source] = ctx.has('aws_cloudwatch_event_rule')
        ? ['events.amazonaws.com', ctx.ref('aws_cloudwatch_event_rule', 'arn')]
        : ctx.has('aws_s3_bucket')
          ? ['s3.amazonaws.com', ctx.ref('aws_s3_bucket', 'arn')]
          : ctx.has('aws_api_gateway_rest_api')
            ? ['apigateway.amazonaws.com', expr(`"\${${ctx.ref('aws_api_gateway_rest_api', 'execution_arn').text}}/*"`)]
            : ['events.amazonaws.com', undefined];
      return [attr('statement_id', 'AllowInvoke'), attr('action', 'lambda:InvokeFunction'), attr('function_name', ctx.ref('aws_lambda_function', 'function_name')), attr('principal', principal), source && attr('source_arn', source)];
    },
  },
  aws_lambda_alias: {
    accepts: [],
    build: (ctx) => [attr('name', ctx.self.display), attr('function_name', ctx.ref('aws_lambda_function', 'function_name')), attr('function_version', '$LATEST')],
  },
  aws_lambda_invocation: {
    accepts: [],
    build: (ctx) => [attr('function_name', ctx.ref('aws_lambda_function', 'function_name')), attr('input', expr('jsonencode({})'))],
  },
  aws_lambda_layer_version: { accepts: ['filename'], build: (ctx) => [attr('layer_name', ctx.self.display), attr('filename', 'layer.zip'), attr('compatible_runtimes', ['python3.12'])] },
  aws_dynamodb_table: {
    accepts: ['hash_key', 'read_capacity', 'write_capacity'],
    build: (ctx) => {
      const hash = ctx.str('hash_key') ?? 'id';
      const provisioned = ctx.num('read_capacity') !== undefined || ctx.num('write_capacity') !== undefined;
      return [
        attr('name', ctx.self.display),
        attr('billing_mode', provisioned ? 'PROVISIONED' : 'PAY_PER_REQUEST'),
        provisioned && attr('read_capacity', ctx.num('read_capacity') ?? 5),
        provisioned && attr('write_capacity', ctx.num('write_capacity') ?? 5),
        attr('hash_key', hash),
        block('attribute', [], [attr('name', hash), attr('type', 'S')]),
        block('point_in_time_recovery', [], [attr('enabled', true)]),
        block('server_side_encryption', [], [attr('enabled', true)]),
        tags(ctx),
      ];
    },
  },
  aws_dynamodb_contributor_insights: { accepts: [], build: (ctx) => [attr('table_name', ctx.ref('aws_dynamodb_table', 'name'))] },
  aws_dynamodb_kinesis_streaming_destination: {
    accepts: [],
    build: (ctx) => [attr('stream_arn', ctx.ref('aws_kinesis_stream', 'arn')), attr('table_name', ctx.ref('aws_dynamodb_table', 'name'))],
  },
  aws_dax_subnet_group: {
    accepts: [],
    build: (ctx) => {
      const subnets = ctx.refsAll('aws_subnet', 'id');
      return [attr('name', ctx.self.display), attr('subnet_ids', subnets.length >= 2 ? subnets : [ctx.refAt('aws_subnet', 0, 'id'), ctx.refAt('aws_subnet', 1, 'id')])];
    },
  },
  aws_db_snapshot: {
    accepts: [],
    build: (ctx) => [attr('db_instance_identifier', ctx.ref('aws_db_instance', 'identifier')), attr('db_snapshot_identifier', `${ctx.self.display}-snapshot`)],
  },
  aws_elasticache_user: {
    accepts: ['user_name'],
    build: (ctx) => [
      attr('user_id', ctx.self.display),
      attr('user_name', ctx.self.display),
      // Read-only on all keys; IAM authentication, so no password in the configuration.
      attr('access_string', 'on ~* +@read'),
      attr('engine', 'REDIS'),
      block('authentication_mode', [], [attr('type', 'iam')]),
    ],
  },
  aws_elasticache_user_group: {
    accepts: [],
    build: (ctx) => [attr('engine', 'REDIS'), attr('user_group_id', ctx.self.display), attr('user_ids', ctx.refsAll('aws_elasticache_user', 'user_id').length > 0 ? ctx.refsAll('aws_elasticache_user', 'user_id') : [ctx.ref('aws_elasticache_user', 'user_id')])],
  },
  aws_db_instance: {
    accepts: ['engine', 'engine_version', 'instance_class', 'allocated_storage', 'skip_final_snapshot', 'multi_az', 'db_name'],
    build: (ctx) => {
      const engine = dbEngine(ctx);
      const skip = ctx.bool('skip_final_snapshot') === true;
      const subnetGroup = ctx.refIfPlanned('aws_db_subnet_group', 'name');
      const sg = ctx.refIfPlanned('aws_security_group', 'id');
      const params = ctx.refIfPlanned('aws_db_parameter_group', 'name');
      const key = ctx.refIfPlanned('aws_kms_key', 'arn');
      return [
        attr('identifier', ctx.self.display),
        attr('engine', engine),
        attr('instance_class', 'db.t3.micro'),
        attr('allocated_storage', 20),
        attr('username', 'dbadmin'),
        // The password is generated and kept in Secrets Manager by RDS: nothing secret in the configuration or state.
        attr('manage_master_user_password', true),
        key && attr('master_user_secret_kms_key_id', key),
        key && attr('kms_key_id', key),
        subnetGroup && attr('db_subnet_group_name', subnetGroup),
        sg && attr('vpc_security_group_ids', [sg]),
        params && attr('parameter_group_name', params),
        attr('storage_encrypted', true),
        attr('publicly_accessible', false),
        attr('backup_retention_period', 7),
        attr('auto_minor_version_upgrade', true),
        attr('copy_tags_to_snapshot', true),
        /^(postgres|mysql)/.test(engine) && attr('iam_database_authentication_enabled', true),
        attr('skip_final_snapshot', skip),
        !skip && attr('final_snapshot_identifier', `${ctx.self.display}-final`),
        tags(ctx),
      ];
    },
    // A database in a requested network lives in its subnets.
    companions: (ctx) => (ctx.has('aws_subnet') && !ctx.has('aws_db_subnet_group') ? ['aws_db_subnet_group'] : []),
  },
  aws_db_subnet_group: {
    accepts: [],
    build: (ctx) => {
      // RDS wants subnets in at least two availability zones.
      const subnets = ctx.refsAll('aws_subnet', 'id');
      return [attr('name', ctx.self.display), attr('subnet_ids', subnets.length >= 2 ? subnets : [ctx.refAt('aws_subnet', 0, 'id'), ctx.refAt('aws_subnet', 1, 'id')]), tags(ctx)];
    },
  },
  aws_db_parameter_group: {
    accepts: ['family'],
    build: (ctx) => [attr('name', ctx.self.display), attr('family', dbFamily(dbEngine(ctx), ctx.str('engine_version'))), tags(ctx)],
  },
  aws_db_option_group: {
    accepts: ['engine_name', 'major_engine_version'],
    build: (ctx) => [attr('name', ctx.self.display), attr('engine_name', 'mysql'), attr('major_engine_version', '8.0')],
  },
  aws_rds_cluster: {
    accepts: ['engine', 'engine_version', 'database_name'],
    build: (ctx) => [
      attr('cluster_identifier', ctx.self.display),
      attr('engine', ctx.str('engine') ?? 'aurora-postgresql'),
      attr('master_username', 'dbadmin'),
      attr('manage_master_user_password', true),
      attr('storage_encrypted', true),
      attr('backup_retention_period', 7),
      attr('skip_final_snapshot', false),
      attr('final_snapshot_identifier', `${ctx.self.display}-final`),
      tags(ctx),
    ],
  },
  aws_msk_cluster: {
    accepts: ['kafka_version'],
    build: (ctx) => {
      const brokers = ctx.num('number_of_broker_nodes') ?? 2;
      const logs = ctx.refIfPlanned('aws_s3_bucket', 'id');
      return [
        attr('cluster_name', ctx.self.display),
        attr('kafka_version', '3.6.0'),
        // One broker per subnet (AZ): the broker count must be a multiple of the subnet count.
        attr('number_of_broker_nodes', brokers),
        block('broker_node_group_info', [], [
          attr('instance_type', 'kafka.t3.small'),
          attr('client_subnets', Array.from({ length: brokers }, (_, i) => ctx.refAt('aws_subnet', i, 'id'))),
          attr('security_groups', [ctx.ref('aws_security_group', 'id')]),
          block('storage_info', [], [block('ebs_storage_info', [], [attr('volume_size', 100)])]),
        ]),
        block('encryption_info', [], [block('encryption_in_transit', [], [attr('client_broker', 'TLS'), attr('in_cluster', true)])]),
        logs && block('logging_info', [], [block('broker_logs', [], [block('s3', [], [attr('enabled', true), attr('bucket', logs), attr('prefix', 'msk/')])])]),
        tags(ctx),
      ];
    },
  },
  aws_elasticache_cluster: {
    accepts: ['engine', 'node_type', 'num_cache_nodes'],
    build: (ctx) => [attr('cluster_id', ctx.self.display), attr('engine', 'redis'), attr('node_type', 'cache.t3.micro'), attr('num_cache_nodes', 1), attr('snapshot_retention_limit', 5), tags(ctx)],
  },
  aws_redshift_cluster: {
    accepts: ['node_type', 'number_of_nodes', 'database_name'],
    build: (ctx) => {
      const nodes = ctx.num('number_of_nodes') ?? 1;
      return [
        attr('cluster_identifier', ctx.self.display),
        attr('node_type', 'ra3.xlplus'),
        attr('cluster_type', nodes > 1 ? 'multi-node' : 'single-node'),
        nodes > 1 && attr('number_of_nodes', nodes),
        attr('database_name', 'dev'),
        attr('master_username', 'dbadmin'),
        attr('manage_master_password', true),
        attr('encrypted', true),
        attr('publicly_accessible', false),
        attr('skip_final_snapshot', true),
        ctx.has('aws_iam_role') && attr('iam_roles', [ctx.ref('aws_iam_role', 'arn')]),
        tags(ctx),
      ];
    },
  },
  aws_redshift_subnet_group: {
    accepts: [],
    build: (ctx) => {
      const subnets = ctx.refsAll('aws_subnet', 'id');
      return [attr('name', ctx.self.display), attr('subnet_ids', subnets.length >= 2 ? subnets : [ctx.refAt('aws_subnet', 0, 'id'), ctx.refAt('aws_subnet', 1, 'id')]), tags(ctx)];
    },
  },
  aws_redshift_endpoint_access: {
    accepts: [],
    build: (ctx) => [attr('endpoint_name', ctx.self.display), attr('subnet_group_name', ctx.ref('aws_redshift_subnet_group', 'name')), attr('cluster_identifier', ctx.ref('aws_redshift_cluster', 'cluster_identifier'))],
  },
  aws_redshift_usage_limit: {
    accepts: ['amount'],
    build: (ctx) => [attr('cluster_identifier', ctx.ref('aws_redshift_cluster', 'id')), attr('feature_type', 'concurrency-scaling'), attr('limit_type', 'time'), attr('amount', 60)],
  },
  aws_route53_zone: { accepts: [], build: (ctx) => [attr('name', ctx.str('domain') ?? 'example.com'), tags(ctx)] },
  aws_route53_record: {
    accepts: ['type', 'ttl'],
    build: (ctx) => {
      const zone = ctx.ref('aws_route53_zone', 'zone_id');
      const cdn = ctx.refIfPlanned('aws_cloudfront_distribution', 'domain_name');
      if (cdn) return [attr('zone_id', zone), attr('name', ctx.str('record_name') ?? 'www'), attr('type', 'A'), block('alias', [], [attr('name', cdn), attr('zone_id', ctx.ref('aws_cloudfront_distribution', 'hosted_zone_id')), attr('evaluate_target_health', false)])];
      const lb = ctx.refIfPlanned('aws_lb', 'dns_name');
      if (lb) return [attr('zone_id', zone), attr('name', ctx.str('record_name') ?? 'www'), attr('type', 'A'), block('alias', [], [attr('name', lb), attr('zone_id', ctx.ref('aws_lb', 'zone_id')), attr('evaluate_target_health', true)])];
      const db = ctx.refIfPlanned('aws_db_instance', 'address');
      const ip = ctx.refIfPlanned('aws_instance', 'private_ip');
      return [attr('zone_id', zone), attr('name', ctx.str('record_name') ?? 'www'), attr('type', db ? 'CNAME' : 'A'), attr('ttl', 300), attr('records', [db ?? ip ?? '192.0.2.10'])];
    },
  },
  aws_sns_topic: { accepts: [], build: (ctx) => [attr('name', ctx.self.display), attr('kms_master_key_id', 'alias/aws/sns'), tags(ctx)] },
  aws_sqs_queue: { accepts: [], build: (ctx) => [attr('name', ctx.self.display), attr('sqs_managed_sse_enabled', true), tags(ctx)] },
  aws_cloudwatch_log_group: { accepts: ['retention_in_days'], build: (ctx) => [attr('name', ctx.self.display), attr('retention_in_days', 365), tags(ctx)] },
  aws_cloudwatch_metric_alarm: {
    accepts: ['threshold', 'metric_name', 'period', 'evaluation_periods'],
    build: (ctx) => {
      const instance = ctx.refIfPlanned('aws_instance', 'id');
      return [
        attr('alarm_name', ctx.self.display),
        attr('comparison_operator', 'GreaterThanThreshold'),
        attr('evaluation_periods', 2),
        attr('metric_name', 'CPUUtilization'),
        attr('namespace', 'AWS/EC2'),
        attr('period', 120),
        attr('statistic', 'Average'),
        attr('threshold', 80),
        instance && attr('dimensions', { InstanceId: instance }),
      ];
    },
  },
  aws_cloudwatch_event_rule: {
    accepts: ['schedule_expression'],
    build: (ctx) => [attr('name', ctx.self.display), attr('schedule_expression', 'rate(1 day)'), tags(ctx)],
    // A rule with no target triggers nothing.
    companions: () => ['aws_cloudwatch_event_target'],
  },
  aws_cloudwatch_event_target: {
    accepts: [],
    build: (ctx) => [attr('rule', ctx.ref('aws_cloudwatch_event_rule', 'name')), attr('arn', ctx.has('aws_sns_topic') && !ctx.has('aws_lambda_function') ? ctx.ref('aws_sns_topic', 'arn') : ctx.ref('aws_lambda_function', 'arn'))],
    // EventBridge may only invoke a Lambda the function's resource policy allows.
    companions: (ctx) => (ctx.has('aws_sns_topic') && !ctx.has('aws_lambda_function') ? [] : ['aws_lambda_permission']),
  },
  aws_kinesis_stream: {
    accepts: ['shard_count', 'retention_period'],
    build: (ctx) => [attr('name', ctx.self.display), attr('shard_count', 1), attr('retention_period', 24), attr('encryption_type', 'KMS'), attr('kms_key_id', 'alias/aws/kinesis'), tags(ctx)],
  },
  aws_kinesis_firehose_delivery_stream: {
    accepts: [],
    build: (ctx) => {
      const role = ctx.ref('aws_iam_role', 'arn');
      // Every destination keeps a copy of failed records in S3.
      const backup = block('s3_configuration', [], [attr('role_arn', role), attr('bucket_arn', ctx.ref('aws_s3_bucket', 'arn'))]);
      const destination = ctx.str('destination') ?? 'extended_s3';
      const inVpc = ctx.bool('vpc') === true;
      const config =
        destination === 'opensearch'
          ? block('opensearch_configuration', [], [
              attr('domain_arn', ctx.ref('aws_opensearch_domain', 'arn')),
              attr('role_arn', role),
              attr('index_name', 'events'),
              backup,
              inVpc && block('vpc_config', [], [attr('subnet_ids', [ctx.refAt('aws_subnet', 0, 'id'), ctx.refAt('aws_subnet', 1, 'id')]), attr('security_group_ids', [ctx.ref('aws_security_group', 'id')]), attr('role_arn', role)]),
            ])
          : destination === 'splunk'
            ? block('splunk_configuration', [], [
                attr('hec_endpoint', ctx.variable('splunk_hec_endpoint', 'Splunk HTTP Event Collector URL')),
                attr('hec_token', ctx.variable('splunk_hec_token', 'Splunk HEC token (pass it through TF_VAR_splunk_hec_token)', { sensitive: true })),
                attr('hec_endpoint_type', 'Event'),
                backup,
              ])
            : destination === 'http_endpoint'
              ? block('http_endpoint_configuration', [], [
                  attr('url', ctx.variable('http_endpoint_url', 'HTTPS URL records are delivered to')),
                  attr('name', ctx.self.display),
                  attr('access_key', ctx.variable('http_endpoint_access_key', 'Access key of the HTTP endpoint (pass it through TF_VAR_http_endpoint_access_key)', { sensitive: true })),
                  attr('role_arn', role),
                  attr('s3_backup_mode', 'FailedDataOnly'),
                  backup,
                ])
              : block('extended_s3_configuration', [], [attr('role_arn', role), attr('bucket_arn', ctx.ref('aws_s3_bucket', 'arn'))]);
      return [attr('name', ctx.self.display), attr('destination', destination), config, destination !== 'splunk' && destination !== 'http_endpoint' && block('server_side_encryption', [], [attr('enabled', true)]), tags(ctx)];
    },
  },
  aws_opensearch_domain: {
    accepts: ['engine_version'],
    build: (ctx) => [
      attr('domain_name', ctx.self.display),
      attr('engine_version', 'OpenSearch_2.11'),
      block('cluster_config', [], [attr('instance_type', 't3.small.search'), attr('instance_count', 1)]),
      block('ebs_options', [], [attr('ebs_enabled', true), attr('volume_size', 10)]),
      block('encrypt_at_rest', [], [attr('enabled', true)]),
      block('node_to_node_encryption', [], [attr('enabled', true)]),
      block('domain_endpoint_options', [], [attr('enforce_https', true), attr('tls_security_policy', 'Policy-Min-TLS-1-2-2019-07')]),
      tags(ctx),
    ],
  },
  aws_elastic_beanstalk_application: { accepts: ['description'], build: (ctx) => [attr('name', ctx.self.display), tags(ctx)] },
  aws_elastic_beanstalk_application_version: {
    accepts: ['description'],
    build: (ctx) => [
      attr('name', ctx.self.display),
      attr('application', ctx.ref('aws_elastic_beanstalk_application', 'name')),
      attr('bucket', ctx.ref('aws_s3_bucket', 'id')),
      attr('key', ctx.ref('aws_s3_object', 'key')),
    ],
  },
  aws_elastic_beanstalk_environment: {
    accepts: ['tier'],
    build: (ctx) => {
      const stack = ctx.data('aws_elastic_beanstalk_solution_stack', 'python', [attr('most_recent', true), attr('name_regex', '^64bit Amazon Linux 2023 (.*) running Python (.*)$')]);
      return [
        attr('name', ctx.self.display),
        attr('application', ctx.ref('aws_elastic_beanstalk_application', 'name')),
        attr('solution_stack_name', expr(`${stack}.name`)),
        ctx.str('tier') !== undefined && attr('tier', ctx.str('tier')!),
        ctx.has('aws_elastic_beanstalk_application_version') && attr('version_label', ctx.ref('aws_elastic_beanstalk_application_version', 'name')),
        block('setting', [], [attr('namespace', 'aws:autoscaling:launchconfiguration'), attr('name', 'IamInstanceProfile'), attr('value', ctx.ref('aws_iam_instance_profile', 'name'))]),
        block('setting', [], [attr('namespace', 'aws:autoscaling:launchconfiguration'), attr('name', 'DisableIMDSv1'), attr('value', 'true')]),
        tags(ctx),
      ];
    },
  },
  aws_codebuild_project: {
    accepts: [],
    build: (ctx) => {
      const bucket = ctx.refIfPlanned('aws_s3_bucket', 'bucket');
      return [
        attr('name', ctx.self.display),
        attr('service_role', ctx.ref('aws_iam_role', 'arn')),
        block('artifacts', [], bucket ? [attr('type', 'S3'), attr('location', bucket), attr('name', ctx.self.display), attr('encryption_disabled', false)] : [attr('type', 'NO_ARTIFACTS')]),
        block('environment', [], [attr('compute_type', 'BUILD_GENERAL1_SMALL'), attr('image', 'aws/codebuild/amazonlinux2-x86_64-standard:5.0'), attr('type', 'LINUX_CONTAINER'), attr('privileged_mode', false)]),
        ctx.bool('secondary_artifacts') && block('secondary_artifacts', [], [attr('artifact_identifier', 'secondary'), attr('type', 'S3'), attr('location', ctx.ref('aws_s3_bucket', 'bucket'))]),
        block('source', [], [attr('type', 'GITHUB'), attr('location', ctx.variable('source_location', 'HTTPS URL of the source repository'))]),
        // Builds run inside the requested network when there is one.
        ctx.has('aws_vpc') &&
          ctx.has('aws_subnet') &&
          block('vpc_config', [], [attr('vpc_id', ctx.ref('aws_vpc', 'id')), attr('subnets', ctx.refsAll('aws_subnet', 'id')), attr('security_group_ids', [ctx.ref('aws_security_group', 'id')])]),
        tags(ctx),
      ];
    },
  },
  aws_lb: {
    accepts: ['load_balancer_type', 'internal'],
    build: (ctx) => {
      const type = ctx.str('load_balancer_type') ?? 'application';
      const sg = ctx.refIfPlanned('aws_security_group', 'id');
      const subnets = ctx.refsAll('aws_subnet', 'id');
      return [
        attr('name', ctx.self.display),
        attr('load_balancer_type', type),
        attr('subnets', subnets.length >= 2 ? subnets : [ctx.refAt('aws_subnet', 0, 'id'), ctx.refAt('aws_subnet', 1, 'id')]),
        type === 'application' && sg && attr('security_groups', [sg]),
        type === 'application' && attr('drop_invalid_header_fields', true),
        attr('enable_deletion_protection', true),
        tags(ctx),
      ];
    },
    // A load balancer without a listener and a target group forwards nothing.
    companions: () => ['aws_lb_listener', 'aws_lb_target_group'],
  },
  aws_lb_target_group: {
    accepts: ['port', 'protocol', 'target_type'],
    build: (ctx) => [attr('name', ctx.self.display), attr('port', 80), attr('protocol', 'HTTP'), attr('vpc_id', ctx.ref('aws_vpc', 'id')), block('health_check', [], [attr('path', '/')]), tags(ctx)],
  },
  aws_lb_listener: {
    accepts: ['port', 'protocol'],
    build: (ctx) => [attr('load_balancer_arn', ctx.ref('aws_lb', 'arn')), attr('port', 80), attr('protocol', 'HTTP'), block('default_action', [], [attr('type', 'forward'), attr('target_group_arn', ctx.ref('aws_lb_target_group', 'arn'))])],
  },
  aws_lb_target_group_attachment: {
    accepts: ['port'],
    build: (ctx) => [attr('target_group_arn', ctx.ref('aws_lb_target_group', 'arn')), attr('target_id', ctx.ref('aws_instance', 'id')), attr('port', 80)],
  },
  aws_eks_cluster: {
    accepts: ['version'],
    build: (ctx) => {
      const subnets = ctx.refsAll('aws_subnet', 'id');
      return [
        attr('name', ctx.self.display),
        attr('role_arn', ctx.ref('aws_iam_role', 'arn')),
        block('vpc_config', [], [attr('subnet_ids', subnets.length >= 2 ? subnets : [ctx.refAt('aws_subnet', 0, 'id'), ctx.refAt('aws_subnet', 1, 'id')]), attr('endpoint_private_access', true), attr('endpoint_public_access', false)]),
        attr('enabled_cluster_log_types', ['api', 'audit', 'authenticator']),
        tags(ctx),
      ];
    },
  },
  aws_ecs_cluster: { accepts: [], build: (ctx) => [attr('name', ctx.self.display), block('setting', [], [attr('name', 'containerInsights'), attr('value', 'enabled')]), tags(ctx)] },
  aws_ecr_repository: {
    accepts: [],
    build: (ctx) => [attr('name', ctx.self.display), attr('image_tag_mutability', 'IMMUTABLE'), block('image_scanning_configuration', [], [attr('scan_on_push', true)]), block('encryption_configuration', [], [attr('encryption_type', 'KMS')]), tags(ctx)],
  },
  aws_secretsmanager_secret: { accepts: ['recovery_window_in_days'], build: (ctx) => [attr('name', ctx.self.display), attr('recovery_window_in_days', 7), tags(ctx)] },
  aws_secretsmanager_secret_version: {
    accepts: [],
    build: (ctx) => [attr('secret_id', ctx.ref('aws_secretsmanager_secret', 'id')), attr('secret_string', ctx.variable('secret_value', 'The secret to store (pass it through TF_VAR_secret_value, never in a file)', { sensitive: true }))],
  },
  aws_api_gateway_rest_api: { accepts: ['description'], build: (ctx) => [attr('name', ctx.self.display), block('endpoint_configuration', [], [attr('types', ['REGIONAL'])]), tags(ctx)] },
  aws_api_gateway_resource: {
    accepts: ['path_part'],
    build: (ctx) => [attr('rest_api_id', ctx.ref('aws_api_gateway_rest_api', 'id')), attr('parent_id', ctx.ref('aws_api_gateway_rest_api', 'root_resource_id')), attr('path_part', 'items')],
  },
  aws_api_gateway_method: {
    accepts: ['http_method'],
    build: (ctx) => [
      attr('rest_api_id', ctx.ref('aws_api_gateway_rest_api', 'id')),
      attr('resource_id', ctx.ref('aws_api_gateway_resource', 'id')),
      attr('http_method', ['GET', 'PUT', 'POST', 'DELETE'][ctx.index % 4]),
      // Callers sign requests (SigV4); an open method is what Checkov's CKV_AWS_59 flags.
      attr('authorization', 'AWS_IAM'),
    ],
  },
  aws_api_gateway_integration: {
    accepts: [],
    build: (ctx) => {
      const method = ctx.refsAll('aws_api_gateway_method', 'http_method');
      return [
        attr('rest_api_id', ctx.ref('aws_api_gateway_rest_api', 'id')),
        attr('resource_id', ctx.ref('aws_api_gateway_resource', 'id')),
        attr('http_method', method.length > 0 ? method[ctx.index % method.length] : ctx.ref('aws_api_gateway_method', 'http_method')),
        attr('integration_http_method', 'POST'),
        attr('type', 'AWS_PROXY'),
        attr('uri', ctx.ref('aws_lambda_function', 'invoke_arn')),
      ];
    },
  },
  aws_lightsail_instance: {
    accepts: ['blueprint_id', 'bundle_id', 'ip_address_type'],
    build: (ctx) => [attr('name', ctx.self.display), attr('availability_zone', expr(`${AZS(ctx)}[0]`)), attr('blueprint_id', 'amazon_linux_2023'), attr('bundle_id', 'nano_3_0'), tags(ctx)],
  },
  aws_lightsail_static_ip: { accepts: [], build: (ctx) => [attr('name', ctx.self.display)], companions: () => ['aws_lightsail_static_ip_attachment'] },
  aws_lightsail_static_ip_attachment: { accepts: [], build: (ctx) => [attr('static_ip_name', ctx.ref('aws_lightsail_static_ip', 'name')), attr('instance_name', ctx.ref('aws_lightsail_instance', 'name'))] },
  aws_lightsail_disk: { accepts: ['size_in_gb'], build: (ctx) => [attr('name', ctx.self.display), attr('availability_zone', expr(`${AZS(ctx)}[0]`)), attr('size_in_gb', 8), tags(ctx)] },
  aws_lightsail_disk_attachment: {
    accepts: [],
    build: (ctx) => [attr('disk_name', ctx.ref('aws_lightsail_disk', 'name')), attr('instance_name', ctx.ref('aws_lightsail_instance', 'name')), attr('disk_path', '/dev/xvdf')],
  },
  aws_lightsail_database: {
    accepts: ['blueprint_id', 'bundle_id'],
    build: (ctx) => [
      attr('relational_database_name', ctx.self.display),
      attr('availability_zone', expr(`${AZS(ctx)}[0]`)),
      attr('master_database_name', 'app'),
      attr('master_username', 'dbadmin'),
      attr('master_password', ctx.variable('db_master_password', 'Master password of the Lightsail database (pass it through TF_VAR_db_master_password)', { sensitive: true })),
      attr('blueprint_id', 'mysql_8_0'),
      attr('bundle_id', 'micro_2_0'),
      attr('backup_retention_enabled', true),
      tags(ctx),
    ],
  },
};
