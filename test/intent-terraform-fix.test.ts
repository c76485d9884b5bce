import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArtefactFile } from '../src/plan/intent/artefact.js';
import { blocking } from '../src/plan/intent/findings.js';
import { terraformChecker } from '../src/plan/intent/terraform/checker.js';
import { parseTerraform } from '../src/plan/intent/terraform/validate.js';

const BAD = `# a web server someone wrote by hand
provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAEXAMPLEEXAMPLE12"
  secret_key = "abc/def"
}

resource "aws_security_group" "web" {
  description = "web"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "web" {
  ami                    = var.ami_id
  vpc_security_group_ids = [aws_security_group.web.id]
  ebs_block_device {
    device_name = "/dev/sdb"
    volume_size = 10
  }
}

resource "aws_s3_bucket" "logs" {
  bucket = "my-logs"
}

resource "aws_db_instance" "db" {
  engine            = "postgres"
  allocated_storage = 20
  username          = "app"
  password          = var.db_password
}
`;

test('a bad AWS file: findings → fix → re-validate clean', async () => {
  let files: ArtefactFile[] = [{ path: 'main.tf', kind: 'terraform', content: BAD }];
  const first = await terraformChecker.validate(files);
  const ids = new Set(first.map((f) => f.ruleId));
  for (const id of ['TF-REQUIRED', 'TF-REF', 'TF-001', 'TF-002', 'TF-003', 'TF-008', 'TF-009', 'TF-010', 'TF-015', 'TF-016', 'TF-017']) assert.ok(ids.has(id), `expected ${id} in ${[...ids].join(', ')}`);
  const required = first.find((f) => f.ruleId === 'TF-REQUIRED');
  assert.match(required!.message, /aws_instance\.web is missing required one of "instance_type", "launch_template"|aws_db_instance\.db is missing required argument "instance_class"/);
  for (let round = 0; round < 4; round++) {
    const findings = await terraformChecker.validate(files);
    const r = terraformChecker.fix(files, findings);
    if (r.applied.length === 0) break;
    files = r.files;
  }
  const after = await terraformChecker.validate(files);
  assert.deepEqual(after.filter(blocking).map((f) => `${f.ruleId} ${f.object}`), [], files.map((f) => f.content).join('\n'));
  const text = files.map((f) => f.content).join('\n');
  assert.match(text, /http_tokens\s+= "required"/);
  assert.match(text, /cidr_blocks = \[var\.admin_cidr\]/);
  assert.match(text, /variable "admin_cidr"/);
  assert.match(text, /variable "ami_id"/);
  assert.match(text, /resource "aws_s3_bucket_public_access_block" "logs"/);
  assert.doesNotMatch(text, /AKIA/);
  assert.match(text, /# a web server someone wrote by hand/, 'comments survive the edits');
  assert.match(text, /version\s+= "~> 5.0"/);
  // Still one valid module.
  const parsed = await parseTerraform(files);
  assert.equal(parsed.findings.length, 0);
});

test('an existing required_providers entry without a version gets pinned in place', async () => {
  const files: ArtefactFile[] = [
    { path: 'versions.tf', kind: 'terraform', content: 'terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n    }\n  }\n}\n' },
    { path: 'main.tf', kind: 'terraform', content: 'resource "aws_sns_topic" "t" {\n  kms_master_key_id = "alias/aws/sns"\n}\n' },
  ];
  const findings = await terraformChecker.validate(files);
  assert.deepEqual(findings.map((f) => f.ruleId), ['TF-016']);
  const r = terraformChecker.fix(files, findings);
  assert.equal(r.files.length, 2);
  assert.match(r.files[0].content, /aws = \{\n\s+source\s+= "hashicorp\/aws"\n\s+version = "~> 5.0"\n\s+\}/);
  assert.deepEqual(await terraformChecker.validate(r.files), []);
});

test('a security group without descriptions gets them on the group and on each rule, not in the wrong block', async () => {
  let files: ArtefactFile[] = [
    {
      path: 'main.tf',
      kind: 'terraform',
      content: 'resource "aws_security_group" "db" {\n  name = "db"\n\n  ingress {\n    description = "postgres from the app"\n    from_port   = 5432\n    to_port     = 5432\n    protocol    = "tcp"\n    cidr_blocks = ["10.0.0.0/16"]\n  }\n\n  egress {\n    from_port   = 443\n    to_port     = 443\n    protocol    = "tcp"\n    cidr_blocks = ["10.0.0.0/16"]\n  }\n}\n',
    },
  ];
  for (let round = 0; round < 3; round++) {
    const findings = (await terraformChecker.validate(files)).filter((f) => f.ruleId === 'TF-006');
    if (findings.length === 0) break;
    files = terraformChecker.fix(files, findings).files;
  }
  const text = files[0].content;
  assert.match(text, /^ {2}description = "Security group db"$/m);
  assert.match(text, /description = "postgres from the app"/, 'the rule\'s own description is kept');
  assert.match(text, /description = "egress rule 1"/);
  assert.deepEqual((await terraformChecker.validate(files)).filter((f) => f.ruleId === 'TF-006'), []);
});
