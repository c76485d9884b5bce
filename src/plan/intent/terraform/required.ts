/**
 * The required-arguments table the validator checks resources against: one entry per resource
 * type, merged from each provider's table. Adding a provider is one import and one spread.
 */
import { AWS_DATA_REQUIRED, AWS_REQUIRED, type RequiredArgs } from './required-aws.js';
import { PROXMOX_REQUIRED, PROXMOX_REQUIRED_NESTED } from './required-proxmox.js';

export type { RequiredArgs };

export const REQUIRED_ARGUMENTS: Readonly<Record<string, RequiredArgs>> = {
  ...AWS_REQUIRED,
  ...PROXMOX_REQUIRED,
};

/** Required arguments inside optional blocks, when the block is present: type → block path ("a.b") → arguments. */
export const NESTED_REQUIRED_ARGUMENTS: Readonly<Record<string, Record<string, string[]>>> = {
  ...PROXMOX_REQUIRED_NESTED,
};

export const DATA_REQUIRED_ARGUMENTS: Readonly<Record<string, RequiredArgs>> = {
  ...AWS_DATA_REQUIRED,
};

/** Types outside any table, but from providers the builders use that need no arguments worth checking. */
export const KNOWN_WITHOUT_TABLE = new Set(['random_password', 'random_string', 'random_id', 'archive_file', 'null_resource', 'terraform_data']);
