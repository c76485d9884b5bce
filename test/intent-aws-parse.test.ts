import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findAwsIntent } from '../src/plan/intent/parse/aws.js';

const types = (prose: string) => (findAwsIntent(prose)?.resources ?? []).map((r) => r.type);

test('an EC2 instance with its type, region and a security group allowing 443 and SSH', () => {
  const i = findAwsIntent('Launch an EC2 instance (t3.small) in eu-west-1 behind a security group allowing 443 and 22.')!;
  assert.equal(i.region, 'eu-west-1');
  assert.deepEqual(i.resources!.map((r) => r.type), ['aws_instance', 'aws_security_group']);
  assert.equal(i.resources![0].attributes!.instance_type, 't3.small');
  assert.deepEqual(i.resources![1].attributes!.ingress_ports, [443, 22]);
});

test('an auto scaling group of 2 to 5', () => {
  const [asg] = findAwsIntent('I need an auto scaling group of 2 to 5 web nodes')!.resources!;
  assert.equal(asg.type, 'aws_autoscaling_group');
  assert.deepEqual([asg.attributes!.min_size, asg.attributes!.max_size], [2, 5]);
});

test('names: "called", "named" and a quoted name right after the mention', () => {
  const i = findAwsIntent('Create an S3 bucket called "logs-archive" and a DynamoDB table named orders. Name the iam_role "app_role".')!;
  const byType = Object.fromEntries(i.resources!.map((r) => [r.type, r]));
  assert.equal(byType.aws_s3_bucket.name, 'logs-archive');
  assert.equal(byType.aws_s3_bucket.attributes!.bucket, 'logs-archive');
  assert.equal(byType.aws_dynamodb_table.name, 'orders');
  assert.equal(byType.aws_iam_role.name, 'app_role');
});

test('an instance type alone asks for an instance; with an ASG, for its launch template', () => {
  const alone = findAwsIntent('Give me a t3.micro in us-east-2 running nginx')!;
  assert.deepEqual(alone.resources!.map((r) => [r.type, r.attributes!.instance_type]), [['aws_instance', 't3.micro']]);
  const asg = findAwsIntent('An auto scaling group of 2 to 5 m5.large nodes')!;
  assert.deepEqual(asg.resources!.map((r) => r.type).sort(), ['aws_autoscaling_group', 'aws_launch_template']);
  assert.equal(asg.resources!.find((r) => r.type === 'aws_launch_template')!.attributes!.instance_type, 'm5.large');
});

test('"call the bucket X" names it without quotes', () => {
  const [bucket] = findAwsIntent('Create a bucket for reports and call the bucket quarterly-reports.')!.resources!;
  assert.equal(bucket.name, 'quarterly-reports');
});

test('counts: "two subnets", "another", and named resources of one type', () => {
  assert.deepEqual(types('A VPC with two subnets'), ['aws_vpc', 'aws_subnet', 'aws_subnet']);
  assert.deepEqual(types('Create an EC2 instance for the web tier and an EC2 instance for the workers'), ['aws_instance', 'aws_instance']);
  assert.deepEqual(types('Create a bucket "a". Then create a bucket "b". Both buckets keep versions.').filter((t) => t === 'aws_s3_bucket').length, 2);
});

test('databases: engine, version, size and class', () => {
  const [db] = findAwsIntent('Provision an RDS PostgreSQL 15 database with 50 GB of storage on db.t3.small that skips the final snapshot')!.resources!;
  assert.equal(db.type, 'aws_db_instance');
  assert.deepEqual(db.attributes, { engine: 'postgres', engine_version: '15', allocated_storage: 50, instance_class: 'db.t3.small', skip_final_snapshot: true });
});

test('specific phrases win over the general ones they contain', () => {
  assert.deepEqual(types('a DB subnet group'), ['aws_db_subnet_group']);
  assert.deepEqual(types('a lambda permission'), ['aws_lambda_permission']);
  assert.deepEqual(types('an Elastic Beanstalk application'), ['aws_elastic_beanstalk_application']);
  assert.deepEqual(types('route 53 zone with a DNS record'), ['aws_route53_zone', 'aws_route53_record']);
});

test('explicit Terraform type names, with or without the aws_ prefix', () => {
  assert.deepEqual(types('create an aws_kms_key and a sns_topic resource'), ['aws_kms_key', 'aws_sns_topic']);
});

test('a resource named only as the purpose of another is not created ("a role for an EKS cluster")', () => {
  assert.deepEqual(types('Create an IAM role for an EKS cluster'), ['aws_iam_role']);
  // …unless it is the only thing the request names.
  assert.deepEqual(types('Enable point-in-time recovery for the DynamoDB table'), ['aws_dynamodb_table']);
});

test('prose about something else is not AWS', () => {
  assert.equal(findAwsIntent('Deploy nginx with three replicas behind a load-balanced Service in namespace web'), undefined);
});

test('numbers that are not counts: schedules, sizes, broker and node counts', () => {
  assert.deepEqual(types('Deploy a Lambda function called thumbnailer that runs every 5 minutes via EventBridge'), ['aws_lambda_function', 'aws_cloudwatch_event_rule']);
  const [rule] = findAwsIntent('an EventBridge rule every 5 minutes')!.resources!;
  assert.equal(rule.attributes!.schedule_expression, 'rate(5 minutes)');
  assert.deepEqual(types('a 3 node redshift cluster'), ['aws_redshift_cluster']);
  assert.deepEqual(types('Postgres RDS instance in two private subnets'), ['aws_db_instance', 'aws_subnet', 'aws_subnet']);
});

test('"logging to an S3 bucket" creates the bucket; "to the bucket" refers to one already named', () => {
  assert.deepEqual(types('Create a managed MSK cluster with 3 broker nodes logging to an S3 bucket'), ['aws_msk_cluster', 'aws_s3_bucket']);
  assert.deepEqual(types('Create an S3 bucket and attach a lifecycle rule to the bucket'), ['aws_s3_bucket']);
});
