/** AWS: prose → AwsIntent (parse/aws.ts) → Terraform bundle, checked by terraform/checker.ts. */
export { AWS_PROVIDER_PIN, buildAwsBundle, buildAwsTerraform, DEFAULT_REGION, toLabel, type AwsBuildResult } from './build.js';
export { AWS_TEMPLATES, type AwsTemplate } from './templates.js';
export { AWS_PHRASES, type AwsPhrase } from './phrases.js';
export type { BuildContext, PlannedResource } from './context.js';
export { findAwsIntent, type AwsIntentInput } from '../parse/aws.js';
