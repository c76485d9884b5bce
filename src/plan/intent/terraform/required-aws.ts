/**
 * Required arguments of the AWS resource types the builder emits and the validator knows, taken
 * from the hashicorp/aws provider documentation (registry.terraform.io/providers/hashicorp/aws/5.x,
 * "Argument Reference": the arguments marked Required). `attributes` and `blocks` must be present;
 * `oneOf` lists alternatives of which at least one must be present (e.g. an instance needs `ami`
 * unless a launch template supplies it). Types with no required argument are listed with empty
 * lists so the validator knows them (an unknown type is reported as info).
 */

export interface RequiredArgs {
  attributes: string[];
  blocks?: string[];
  /** Each inner list: at least one of these arguments or blocks must be set. */
  oneOf?: string[][];
}

export const AWS_REQUIRED: Record<string, RequiredArgs> = {
  // Networking
  aws_vpc: { attributes: [], oneOf: [['cidr_block', 'ipv4_ipam_pool_id']] },
  aws_subnet: { attributes: ['vpc_id'] },
  aws_internet_gateway: { attributes: [] },
  aws_nat_gateway: { attributes: ['subnet_id'] },
  aws_eip: { attributes: [] },
  aws_route_table: { attributes: ['vpc_id'] },
  aws_route: { attributes: ['route_table_id'] },
  aws_route_table_association: { attributes: ['route_table_id'], oneOf: [['subnet_id', 'gateway_id']] },
  aws_network_acl: { attributes: ['vpc_id'] },
  aws_default_network_acl: { attributes: ['default_network_acl_id'] },
  aws_vpc_dhcp_options: { attributes: [] },
  aws_vpc_dhcp_options_association: { attributes: ['dhcp_options_id', 'vpc_id'] },
  aws_vpc_peering_connection: { attributes: ['peer_vpc_id', 'vpc_id'] },
  aws_security_group: { attributes: [] },
  aws_security_group_rule: { attributes: ['type', 'from_port', 'to_port', 'protocol', 'security_group_id'] },
  aws_vpc_security_group_ingress_rule: { attributes: ['security_group_id', 'ip_protocol'] },
  aws_vpc_security_group_egress_rule: { attributes: ['security_group_id', 'ip_protocol'] },
  // Compute
  aws_instance: { attributes: [], oneOf: [['ami', 'launch_template'], ['instance_type', 'launch_template']] },
  aws_launch_template: { attributes: [] },
  aws_launch_configuration: { attributes: ['image_id', 'instance_type'] },
  aws_autoscaling_group: { attributes: ['max_size', 'min_size'], oneOf: [['launch_template', 'launch_configuration', 'mixed_instances_policy']] },
  aws_ebs_volume: { attributes: ['availability_zone'] },
  aws_key_pair: { attributes: ['public_key'] },
  aws_lb: { attributes: [] },
  aws_lb_target_group: { attributes: [] },
  aws_lb_listener: { attributes: ['load_balancer_arn'], blocks: ['default_action'] },
  aws_lb_target_group_attachment: { attributes: ['target_group_arn', 'target_id'] },
  aws_lambda_function: { attributes: ['function_name', 'role'] },
  aws_lambda_permission: { attributes: ['action', 'function_name', 'principal'] },
  aws_lambda_alias: { attributes: ['name', 'function_name', 'function_version'] },
  aws_lambda_layer_version: { attributes: ['layer_name'] },
  aws_lambda_invocation: { attributes: ['function_name', 'input'] },
  aws_lightsail_instance: { attributes: ['name', 'availability_zone', 'blueprint_id', 'bundle_id'] },
  aws_lightsail_static_ip: { attributes: ['name'] },
  aws_lightsail_static_ip_attachment: { attributes: ['static_ip_name', 'instance_name'] },
  aws_lightsail_disk: { attributes: ['name', 'availability_zone', 'size_in_gb'] },
  aws_lightsail_disk_attachment: { attributes: ['disk_name', 'instance_name', 'disk_path'] },
  aws_lightsail_database: { attributes: ['relational_database_name', 'master_database_name', 'master_password', 'master_username', 'blueprint_id', 'bundle_id'] },
  aws_elastic_beanstalk_application: { attributes: ['name'] },
  aws_elastic_beanstalk_environment: { attributes: ['name', 'application'] },
  aws_elastic_beanstalk_application_version: { attributes: ['application', 'bucket', 'key', 'name'] },
  aws_eks_cluster: { attributes: ['name', 'role_arn'], blocks: ['vpc_config'] },
  aws_ecs_cluster: { attributes: ['name'] },
  aws_ecr_repository: { attributes: ['name'] },
  // Storage
  aws_s3_bucket: { attributes: [] },
  aws_s3_bucket_versioning: { attributes: ['bucket'], blocks: ['versioning_configuration'] },
  aws_s3_bucket_server_side_encryption_configuration: { attributes: ['bucket'], blocks: ['rule'] },
  aws_s3_bucket_public_access_block: { attributes: ['bucket'] },
  aws_s3_bucket_logging: { attributes: ['bucket', 'target_bucket', 'target_prefix'] },
  aws_s3_bucket_ownership_controls: { attributes: ['bucket'], blocks: ['rule'] },
  aws_s3_bucket_acl: { attributes: ['bucket'] },
  aws_s3_bucket_policy: { attributes: ['bucket', 'policy'] },
  aws_s3_bucket_notification: { attributes: ['bucket'] },
  aws_s3_bucket_lifecycle_configuration: { attributes: ['bucket'], blocks: ['rule'] },
  aws_s3_bucket_request_payment_configuration: { attributes: ['bucket', 'payer'] },
  aws_s3_object: { attributes: ['bucket', 'key'] },
  aws_s3_bucket_object_lock_configuration: { attributes: ['bucket'] },
  aws_s3_bucket_intelligent_tiering_configuration: { attributes: ['bucket', 'name'], blocks: ['tiering'] },
  aws_s3_bucket_inventory: { attributes: ['bucket', 'name', 'included_object_versions'], blocks: ['schedule', 'destination'] },
  aws_s3_bucket_metric: { attributes: ['bucket', 'name'] },
  aws_efs_file_system: { attributes: [] },
  aws_glacier_vault: { attributes: ['name'] },
  aws_kms_key: { attributes: [] },
  aws_kms_alias: { attributes: ['name', 'target_key_id'] },
  // Databases
  aws_db_instance: { attributes: ['instance_class'], oneOf: [['engine', 'replicate_source_db', 'snapshot_identifier']] },
  aws_db_subnet_group: { attributes: ['subnet_ids'] },
  aws_db_parameter_group: { attributes: ['family'] },
  aws_db_option_group: { attributes: ['engine_name', 'major_engine_version'] },
  aws_rds_cluster: { attributes: ['engine'] },
  aws_rds_cluster_instance: { attributes: ['cluster_identifier', 'instance_class', 'engine'] },
  aws_dynamodb_table: { attributes: ['name', 'hash_key'], blocks: ['attribute'] },
  aws_dynamodb_contributor_insights: { attributes: ['table_name'] },
  aws_dynamodb_kinesis_streaming_destination: { attributes: ['stream_arn', 'table_name'] },
  aws_dax_subnet_group: { attributes: ['name', 'subnet_ids'] },
  aws_db_snapshot: { attributes: ['db_instance_identifier', 'db_snapshot_identifier'] },
  aws_elasticache_cluster: { attributes: ['cluster_id'] },
  aws_elasticache_user: { attributes: ['access_string', 'engine', 'user_id', 'user_name'] },
  aws_elasticache_user_group: { attributes: ['engine', 'user_group_id'] },
  aws_redshift_cluster: { attributes: ['cluster_identifier', 'node_type'] },
  aws_redshift_subnet_group: { attributes: ['name', 'subnet_ids'] },
  aws_redshift_endpoint_access: { attributes: ['cluster_identifier', 'endpoint_name', 'subnet_group_name'] },
  aws_redshift_usage_limit: { attributes: ['amount', 'cluster_identifier', 'feature_type', 'limit_type'] },
  // DNS and delivery
  aws_route53_zone: { attributes: ['name'] },
  aws_route53_record: { attributes: ['name', 'type', 'zone_id'] },
  aws_cloudfront_distribution: { attributes: ['enabled'], blocks: ['default_cache_behavior', 'origin', 'restrictions', 'viewer_certificate'] },
  aws_cloudfront_origin_access_control: { attributes: ['name', 'origin_access_control_origin_type', 'signing_behavior', 'signing_protocol'] },
  aws_api_gateway_rest_api: { attributes: ['name'] },
  aws_api_gateway_resource: { attributes: ['parent_id', 'path_part', 'rest_api_id'] },
  aws_api_gateway_method: { attributes: ['authorization', 'http_method', 'resource_id', 'rest_api_id'] },
  aws_api_gateway_integration: { attributes: ['http_method', 'resource_id', 'rest_api_id', 'type'] },
  // Identity
  aws_iam_role: { attributes: ['assume_role_policy'] },
  aws_iam_policy: { attributes: ['policy'] },
  aws_iam_role_policy: { attributes: ['policy', 'role'] },
  aws_iam_role_policy_attachment: { attributes: ['policy_arn', 'role'] },
  aws_iam_instance_profile: { attributes: [] },
  aws_iam_user: { attributes: ['name'] },
  aws_secretsmanager_secret: { attributes: [] },
  aws_secretsmanager_secret_version: { attributes: ['secret_id'] },
  // Messaging, events, monitoring
  aws_sns_topic: { attributes: [] },
  aws_sqs_queue: { attributes: [] },
  aws_cloudwatch_log_group: { attributes: [] },
  aws_cloudwatch_metric_alarm: { attributes: ['alarm_name', 'comparison_operator', 'evaluation_periods'] },
  aws_cloudwatch_event_rule: { attributes: [] },
  aws_cloudwatch_event_target: { attributes: ['arn', 'rule'] },
  aws_kinesis_stream: { attributes: ['name'] },
  aws_msk_cluster: { attributes: ['cluster_name', 'kafka_version', 'number_of_broker_nodes'], blocks: ['broker_node_group_info'] },
  aws_kinesis_firehose_delivery_stream: { attributes: ['name', 'destination'] },
  aws_opensearch_domain: { attributes: ['domain_name'] },
  aws_codebuild_project: { attributes: ['name', 'service_role'], blocks: ['artifacts', 'environment', 'source'] },
};

/** Data sources the builder reads (required arguments of `data` blocks). */
export const AWS_DATA_REQUIRED: Record<string, RequiredArgs> = {
  aws_iam_policy_document: { attributes: [] },
  aws_availability_zones: { attributes: [] },
  aws_ami: { attributes: [] },
  aws_caller_identity: { attributes: [] },
  aws_region: { attributes: [] },
  aws_elastic_beanstalk_solution_stack: { attributes: ['name_regex'] },
};
