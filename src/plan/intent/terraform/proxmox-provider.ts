/**
 * The provider side of a bpg/proxmox bundle: the pinned provider, its variables and its
 * configuration. Secrets only ever come from variables marked sensitive, with no default.
 * Provider docs: https://registry.terraform.io/providers/bpg/proxmox/latest/docs
 */
import { attr, block, comment, expr, writeHcl } from './hcl.js';

/** bpg/proxmox is pre-1.0: minor versions may break, so pin the minor line ("~> 0.107" allows 0.107.x and later 0.x). */
export const PROXMOX_PROVIDER_SOURCE = 'bpg/proxmox';
export const PROXMOX_PROVIDER_VERSION = '~> 0.107';

export function versionsTf(): string {
  return writeHcl([
    block('terraform', [], [
      attr('required_version', '>= 1.5.0'),
      block('required_providers', [], [attr('proxmox', { source: PROXMOX_PROVIDER_SOURCE, version: PROXMOX_PROVIDER_VERSION })]),
    ]),
  ]);
}

export function variablesTf(): string {
  return writeHcl([
    block('variable', ['proxmox_endpoint'], [
      attr('description', 'Proxmox VE API URL, e.g. https://pve.example.com:8006/'),
      attr('type', expr('string')),
    ]),
    block('variable', ['proxmox_api_token'], [
      attr('description', 'API token as USER@REALM!TOKENID=SECRET; set it in TF_VAR_proxmox_api_token, never in a file'),
      attr('type', expr('string')),
      attr('sensitive', true),
    ]),
    block('variable', ['proxmox_ssh_username'], [
      attr('description', 'User the provider logs in as over SSH to upload cloud-init snippets (keys from the SSH agent)'),
      attr('type', expr('string')),
      attr('default', 'root'),
    ]),
  ]);
}

export function providerTf(): string {
  return writeHcl([
    block('provider', ['proxmox'], [
      attr('endpoint', expr('var.proxmox_endpoint')),
      attr('api_token', expr('var.proxmox_api_token')),
      comment('Verify the API certificate: a self-signed PVE certificate belongs in the trust store, not behind insecure = true.'),
      attr('insecure', false),
      block('ssh', [], [
        comment('Snippets (the cloud-init user-data) are uploaded over SSH: the API cannot write them.'),
        attr('agent', true),
        attr('username', expr('var.proxmox_ssh_username')),
      ]),
    ]),
  ]);
}

/** An example variables file with placeholders only: copied and filled in by the user. */
export function tfvarsExample(): string {
  return [
    '# Copy to terraform.tfvars and fill in. Prefer TF_VAR_proxmox_api_token in the environment for the token.',
    'proxmox_endpoint     = "https://pve.example.com:8006/"',
    'proxmox_api_token    = "terraform@pve!provider=REPLACE-WITH-TOKEN-SECRET"',
    'proxmox_ssh_username = "root"',
    '',
  ].join('\n');
}
