/**
 * How Autonomic reaches a Proxmox VE cluster: the API URL and an API token, from the environment
 * (AUTONOMIC_PROXMOX_URL, AUTONOMIC_PROXMOX_TOKEN, AUTONOMIC_PROXMOX_INSECURE) or a config object.
 * Validation errors name the field or variable but never repeat the token's value.
 */
import { z } from 'zod';
import { UserError } from '../../../core/errors.js';

/** USER@REALM!TOKENID=SECRET, as `pveum user token add` prints it. */
export const API_TOKEN_PATTERN = /^[^\s@!=]+@[^\s@!=]+![A-Za-z][A-Za-z0-9._-]*=\S+$/;

export const ProxmoxConfigSchema = z
  .object({
    /** https://host:8006 or https://host:8006/api2/json (the API path is added when missing). */
    url: z.url({ protocol: /^https$/, error: 'must be an https:// URL such as https://pve.example:8006 (the token is sent with every request)' }),
    token: z.string().regex(API_TOKEN_PATTERN, { error: 'must have the form USER@REALM!TOKENID=SECRET' }),
    /** Skip certificate verification (PVE's default certificate is self-signed). Prefer `caFile`. */
    insecureSkipTlsVerify: z.boolean().default(false),
    /** PEM file of the CA to trust (/etc/pve/pve-root-ca.pem on a node). */
    caFile: z.string().min(1).optional(),
    /** Per request. */
    timeoutMs: z.number().int().positive().default(15000),
    retry: z
      .object({
        /** Retries of a GET after the first try (writes are never retried: a clone must not run twice). */
        maxAttempts: z.number().int().min(0).max(10).default(3),
        initialDelayMs: z.number().int().positive().default(250),
        maxDelayMs: z.number().int().positive().default(5000),
      })
      .prefault({}),
    /** How often waitForTask polls the task status. */
    taskPollMs: z.number().int().positive().default(1000),
  })
  .strict();
export type ProxmoxConfig = z.output<typeof ProxmoxConfigSchema>;
export type ProxmoxConfigInput = z.input<typeof ProxmoxConfigSchema>;

const ENV_NAMES: Record<string, string> = { url: 'AUTONOMIC_PROXMOX_URL', token: 'AUTONOMIC_PROXMOX_TOKEN', insecureSkipTlsVerify: 'AUTONOMIC_PROXMOX_INSECURE', caFile: 'AUTONOMIC_PROXMOX_CA_FILE' };

/** Parses a config; the first problem becomes a UserError naming the field (never the token's value). */
export function parseProxmoxConfig(input: unknown, where = 'proxmox config'): ProxmoxConfig {
  const r = ProxmoxConfigSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    const field = i.path.join('.') || '(root)';
    // zod messages describe the rule, not the value, so they are safe to show.
    throw new UserError(i.message, `${where} ${field}`);
  }
  return r.data;
}

/** The config from the environment, with `overrides` (e.g. from a config file) taking precedence. */
export function proxmoxConfigFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ProxmoxConfigInput> = {}): ProxmoxConfig {
  const fromEnv: Record<string, unknown> = {};
  if (env.AUTONOMIC_PROXMOX_URL) fromEnv.url = env.AUTONOMIC_PROXMOX_URL.trim();
  if (env.AUTONOMIC_PROXMOX_TOKEN) fromEnv.token = env.AUTONOMIC_PROXMOX_TOKEN.trim();
  if (env.AUTONOMIC_PROXMOX_INSECURE) fromEnv.insecureSkipTlsVerify = /^(1|true|yes)$/i.test(env.AUTONOMIC_PROXMOX_INSECURE.trim());
  if (env.AUTONOMIC_PROXMOX_CA_FILE) fromEnv.caFile = env.AUTONOMIC_PROXMOX_CA_FILE.trim();
  const input = { ...fromEnv, ...overrides };
  const r = ProxmoxConfigSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    const key = String(i.path[0] ?? '');
    const name = key in fromEnv && !(key in overrides) ? ENV_NAMES[key] : `proxmox config ${i.path.join('.') || '(root)'}`;
    const missing = i.code === 'invalid_type' && (input as Record<string, unknown>)[key] === undefined;
    throw new UserError(missing ? `is not set${ENV_NAMES[key] ? ` (set ${ENV_NAMES[key]})` : ''}` : i.message, name);
  }
  return r.data;
}
