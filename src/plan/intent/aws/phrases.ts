/**
 * How people name AWS resources in prose → the Terraform resource type. Ordered from specific to
 * general: a phrase that matches masks its words, so "db subnet group" is not also a subnet and
 * "lambda permission" not also a function.
 */

export interface AwsPhrase {
  type: string;
  re: RegExp;
  /** Only when the request mentions this too (a "static IP" is Lightsail's only in a Lightsail request). */
  when?: RegExp;
  unless?: RegExp;
}

const p = (type: string, source: string, extra: Partial<AwsPhrase> = {}): AwsPhrase => ({ type, re: new RegExp(source, 'gi'), ...extra });

export const AWS_PHRASES: AwsPhrase[] = [
  // Elastic Beanstalk, IAM
  p('aws_elastic_beanstalk_environment', String.raw`\belastic ?beanstalk (?:\w+ ){0,2}environments?\b|\bbeanstalk environments?\b`),
  p('aws_elastic_beanstalk_application_version', String.raw`\b(?:elastic ?beanstalk )?application versions?\b`),
  p('aws_elastic_beanstalk_application', String.raw`\belastic ?beanstalk application\b(?! version)`),
  p('aws_iam_instance_profile', String.raw`\binstance profiles?\b`),
  p('aws_iam_role_policy_attachment', String.raw`\b(?:role )?policy attachments?\b|\bpolic(?:y|ies) attached\b|\battach(?:es|ed|ing)? (?:\w+ ){0,3}polic(?:y|ies)\b`),
  p('aws_iam_policy', String.raw`\biam polic(?:y|ies)\b(?! document)|\bmanaged polic(?:y|ies)\b`),
  p('aws_iam_role', String.raw`\biam roles?\b|\bexecution roles?\b|\bservice roles?\b`),
  p('aws_iam_user', String.raw`\biam users?\b`),
  // Lambda, events, monitoring
  p('aws_lambda_permission', String.raw`\blambda permissions?\b`),
  p('aws_lambda_alias', String.raw`\blambda (?:function )?alias\b`),
  p('aws_lambda_invocation', String.raw`\binvoke (?:the |a |an )?(?:"[^"]+" )?lambda(?:_function| function)?\b|\blambda invocations?\b`),
  p('aws_lambda_layer_version', String.raw`\blambda layers?(?: version)?\b`),
  p('aws_lambda_function', String.raw`\blambda(?: functions?)?\b`),
  p('aws_cloudwatch_event_target', String.raw`\b(?:event ?bridge |cloudwatch )?event targets?\b`),
  p('aws_cloudwatch_event_rule', String.raw`\b(?:event ?bridge|cloudwatch event)(?: event)?(?: rules?)?\b|\bevent rules?\b`),
  p('aws_cloudwatch_metric_alarm', String.raw`\b(?:cloudwatch |metric )alarms?\b`),
  p('aws_cloudwatch_log_group', String.raw`\blog groups?\b`),
  // Databases
  p('aws_db_subnet_group', String.raw`\b(?:db|database|rds) subnet groups?\b`),
  p('aws_db_parameter_group', String.raw`\b(?:(?:db|database|rds|postgres(?:ql)?|mysql) )?parameter groups?\b`),
  p('aws_db_option_group', String.raw`\boption groups?\b`),
  p('aws_rds_cluster', String.raw`\baurora(?: (?:mysql|postgres(?:ql)?))?(?: clusters?)?\b|\brds clusters?\b`),
  p('aws_lightsail_database', String.raw`\blightsail (?:\w+ ){0,4}databases?\b`),
  p('aws_dynamodb_contributor_insights', String.raw`\bcontributor insights\b`),
  p('aws_dynamodb_kinesis_streaming_destination', String.raw`\bkinesis streaming destinations?\b`),
  p('aws_dax_subnet_group', String.raw`\bdax subnet groups?\b`),
  p('aws_redshift_subnet_group', String.raw`\bredshift subnet groups?\b`),
  p('aws_redshift_endpoint_access', String.raw`\b(?:redshift )?endpoint access\b`),
  p('aws_redshift_usage_limit', String.raw`\busage limits?\b|\blimit the concurrency scaling\b`),
  p('aws_db_snapshot', String.raw`\b(?:db |database |rds )?snapshot of (?:the|an?) (?:\w+ )?(?:instance|database)\b`),
  p('aws_elasticache_user_group', String.raw`\b(?:elasticache )?user groups?\b`),
  p('aws_elasticache_user', String.raw`\belasticache users?\b`),
  p('aws_dynamodb_table', String.raw`\bdynamo ?db(?: global)?(?: tables?)?\b`),
  p('aws_elasticache_cluster', String.raw`\belasticache(?! user)(?: clusters?)?\b|\bredis(?: instances?| clusters?)?\b|\bmemcached\b`),
  p('aws_redshift_cluster', String.raw`\bredshift(?: clusters?)?\b`),
  p('aws_db_instance', String.raw`\b(?:(?:postgres(?:ql)?|mysql|mariadb) )?rds(?: (?:postgres(?:ql)?|mysql|mariadb))?(?: instances?| databases?)?\b|\b(?:postgres(?:ql)?|mysql|mariadb|sql ?server|oracle)(?: \d+(?:\.\d+)?)?(?: database| db)?(?: instances?)?\b|\b(?:database|db) instances?\b|\brelational databases?\b|\bdatabases?\b`),
  // DNS
  p('aws_route53_record', String.raw`\b(?:route ?53|dns) records?\b|\brouting polic(?:y|ies)\b`),
  p('aws_route53_zone', String.raw`\b(?:route ?53 |dns |hosted )zones?\b|\broute ?53\b`),
  // S3 and storage
  p('aws_s3_bucket_versioning', String.raw`\bversioning(?: resource| configuration)?\b`, { unless: /versioning (?:is )?disabled|disabled? versioning|without versioning|no versioning/i }),
  p('aws_s3_bucket_public_access_block', String.raw`\bpublic access blocks?\b`),
  p('aws_s3_bucket_ownership_controls', String.raw`\b(?:bucket )?ownership controls?\b`),
  p('aws_s3_bucket_acl', String.raw`\b(?:bucket )?acl\b`, { unless: /network acl/i }),
  p('aws_s3_bucket_server_side_encryption_configuration', String.raw`\bserver[- ]side encryption\b`),
  p('aws_s3_bucket_logging', String.raw`\b(?:bucket|access|server access) logging\b`),
  p('aws_s3_bucket_request_payment_configuration', String.raw`\bpayment configuration\b|\brequester pays\b`),
  p('aws_s3_bucket_object_lock_configuration', String.raw`\bobject lock (?:governance|compliance|configuration|retention)\b|\bretention period\b`),
  p('aws_s3_bucket_intelligent_tiering_configuration', String.raw`\bintelligent[- ]tiering(?: configuration)?\b`),
  p('aws_s3_bucket_inventory', String.raw`\binventory(?: configuration)?\b`),
  p('aws_s3_bucket_metric', String.raw`\bbucket metrics?\b`),
  p('aws_s3_bucket_notification', String.raw`\b(?:bucket |event )?notifications?\b`, { when: /\bs3\b|\bbucket/i }),
  p('aws_s3_bucket_policy', String.raw`\bbucket polic(?:y|ies)\b`),
  p('aws_cloudfront_origin_access_control', String.raw`\borigin access controls?\b`),
  p('aws_cloudfront_distribution', String.raw`\bcloudfront(?: distributions?)?\b|\bcdn\b`),
  p('aws_s3_object', String.raw`\bs3 objects?\b|\bbucket objects?\b|\bupload (?:it|them|the file|a file|this)\b`),
  p('aws_glacier_vault', String.raw`\bglacier(?: vaults?)?\b`),
  p('aws_s3_bucket', String.raw`\bs3(?: buckets?)?\b|\bbuckets?\b`),
  p('aws_efs_file_system', String.raw`\befs(?: file systems?)?\b|\belastic file system\b`),
  p('aws_kms_key', String.raw`\bkms(?: keys?)?\b`),
  p('aws_ebs_volume', String.raw`\bebs volumes?\b`),
  // Messaging and streams
  p('aws_sns_topic', String.raw`\bsns(?: topics?)?\b`),
  p('aws_sqs_queue', String.raw`\bsqs(?: queues?)?\b`),
  p('aws_msk_cluster', String.raw`\b(?:managed )?msk(?: clusters?)?\b|\bmanaged streaming for (?:apache )?kafka\b|\bkafka clusters?\b`, { unless: /msk connect/i }),
  p('aws_kinesis_firehose_delivery_stream', String.raw`\b(?:kinesis )?firehose(?: delivery streams?)?\b`),
  p('aws_opensearch_domain', String.raw`\bopensearch(?: domains?| service)?\b`, { unless: /firehose[^.]*$/i }),
  p('aws_kinesis_stream', String.raw`\bkinesis(?: data)?(?: streams?)?\b`),
  // Build and containers
  p('aws_codebuild_project', String.raw`\bcode ?build(?: projects?)?\b`),
  p('aws_eks_cluster', String.raw`\beks(?: clusters?)?\b`),
  p('aws_ecs_cluster', String.raw`\becs(?: clusters?)?\b`),
  p('aws_ecr_repository', String.raw`\becr(?: repositor(?:y|ies))?\b`),
  p('aws_secretsmanager_secret', String.raw`\bsecrets? manager(?: secrets?)?\b`),
  p('aws_api_gateway_integration', String.raw`\b(?:lambda |api gateway )?integrations?\b`, { when: /api gateway|rest api/i }),
  p('aws_api_gateway_method', String.raw`\b(?:api gateway )?methods?\b`, { when: /api gateway|rest api/i }),
  p('aws_api_gateway_resource', String.raw`\b(?:api gateway )?resource endpoints?\b|\bapi gateway resources?\b`),
  p('aws_api_gateway_rest_api', String.raw`\bapi gateway(?: rest api)?\b`),
  // Lightsail
  p('aws_lightsail_disk_attachment', String.raw`\battach(?:es|ed|ing)? the lightsail disk\b`),
  p('aws_lightsail_disk', String.raw`\blightsail disks?\b`),
  p('aws_lightsail_static_ip', String.raw`\bstatic (?:ipv4 )?ips?\b`, { when: /lightsail/i }),
  p('aws_lightsail_instance', String.raw`\blightsail(?: instances?)?\b`),
  // Load balancing and scaling
  p('aws_lb_target_group_attachment', String.raw`\btarget group attachments?\b|\battach(?:es|ed)? (?:them|it|the lb|the load balancer) (?:\w+ ){0,3}target group\b`),
  p('aws_lb_listener', String.raw`\b(?:lb |load balancer )?listeners?\b`),
  p('aws_lb_target_group', String.raw`\btarget groups?\b`),
  p('aws_lb', String.raw`\b(?:application |network )?load balancers?\b|\b[an]lb\b`),
  p('aws_autoscaling_group', String.raw`\bauto ?scaling groups?\b|\basg\b`),
  p('aws_launch_template', String.raw`\blaunch templates?\b`),
  // Networking
  p('aws_vpc_peering_connection', String.raw`\b(?:vpc )?peering(?: connection)?\b`),
  p('aws_vpc_dhcp_options', String.raw`\bdhcp options?(?: set)?\b`),
  p('aws_default_network_acl', String.raw`\bdefault network acl\b`),
  p('aws_network_acl', String.raw`\bnetwork acls?\b|\bnacl\b`),
  p('aws_nat_gateway', String.raw`\bnat gateways?\b`),
  p('aws_internet_gateway', String.raw`\binternet gateways?\b|\bigw\b`),
  p('aws_route_table_association', String.raw`\broute table associations?\b|\bassociat\w* (?:\w+ ){0,3}with(?= (?:a |the )?route table\b)`),
  p('aws_route_table', String.raw`\broute tables?\b|\brouting tables?\b`),
  p('aws_eip', String.raw`\belastic ips?\b|\beip\b`),
  p('aws_vpc_security_group_ingress_rule', String.raw`\bsecurity group (?:ingress )?rules?\b|\bingress rules?\b`, { unless: /network acl/i }),
  p('aws_security_group', String.raw`\bsecurity groups?\b`),
  p('aws_subnet', String.raw`\bsubnets?\b`),
  p('aws_vpc', String.raw`\bvpcs?\b|\bvirtual private clouds?\b`),
  // Compute last: "instance" alone is too vague, only with EC2 or an article/number.
  p('aws_instance', String.raw`\bec2(?: instances?)?\b|\bweb ?servers?\b|\b(?:an?|one|two|three|four|five|\d+) (?:linux |ubuntu |amazon linux )?instances?\b`),
];
