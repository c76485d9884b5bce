import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import { patternError } from './redact.js';
import { Secret } from './secret.js';

/**
 * LLM configuration, from an optional YAML/JSON file (`AUTONOMIC_LLM_CONFIG` or an explicit path) overlaid by
 * environment variables. No LLM is the default: without configuration every caller uses its deterministic path.
 *
 *   AUTONOMIC_LLM_BACKEND          none | openai | llama-cpp (openai = any OpenAI-compatible endpoint: OpenAI,
 *                                  Gemini's compatible endpoint, Ollama, vLLM, llama.cpp server)
 *   AUTONOMIC_LLM_BASE_URL         e.g. http://127.0.0.1:11434/v1 (setting it alone selects `openai`)
 *   AUTONOMIC_LLM_MODEL            model name on that endpoint
 *   AUTONOMIC_LLM_API_KEY          bearer key; held as a Secret, redacted from every prompt and error
 *   AUTONOMIC_LLM_MODEL_PATH       a local .gguf file for `llama-cpp` (setting it alone selects `llama-cpp`)
 *   AUTONOMIC_LLM_RESPONSE_FORMAT  auto | json_schema | json_object
 *   AUTONOMIC_LLM_TIMEOUT_MS, AUTONOMIC_LLM_MAX_ATTEMPTS, AUTONOMIC_LLM_TRANSPORT_RETRIES,
 *   AUTONOMIC_LLM_TEMPERATURE, AUTONOMIC_LLM_MAX_OUTPUT_TOKENS
 *   AUTONOMIC_LLM_REDACT_PATTERNS  extra redaction regexes, one per line
 *   AUTONOMIC_LLM_CONTEXT_SIZE, AUTONOMIC_LLM_GPU (auto | cpu), AUTONOMIC_LLM_THREADS   llama-cpp only
 */

const FileConfigSchema = z
  .object({
    backend: z.enum(['none', 'openai', 'llama-cpp']).optional(),
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    model: z.string().min(1).optional(),
    apiKey: z.string().min(1).optional(),
    modelPath: z.string().min(1).optional(),
    /**
     * `json_schema` asks the server to constrain decoding to the schema; `json_object` only asks for JSON and
     * puts the schema in the prompt (for servers without structured outputs); `auto` starts with `json_schema`
     * and falls back for good once the server rejects it.
     */
    responseFormat: z.enum(['auto', 'json_schema', 'json_object']).optional(),
    /** Per HTTP request (or per local generation). */
    timeoutMs: z.number().int().positive().max(600_000).optional(),
    /** Attempts at a schema-valid reply: the first try plus retries with the validation error as feedback. */
    maxAttempts: z.number().int().min(1).max(3).optional(),
    /** Retries of the HTTP request itself (429, 5xx, connection errors), done by the openai client. */
    transportRetries: z.number().int().min(0).max(5).optional(),
    temperature: z.number().min(0).max(2).optional(),
    /** Sent as `max_tokens` when set; unset leaves the server's default. */
    maxOutputTokens: z.number().int().positive().optional(),
    redactPatterns: z.array(z.string().min(1)).optional(),
    /** llama-cpp only: context window and whether to try a GPU. */
    contextSize: z.number().int().min(256).optional(),
    gpu: z.enum(['auto', 'cpu']).optional(),
    /** llama-cpp only: CPU threads (0: node-llama-cpp's choice). */
    threads: z.number().int().min(0).max(256).optional(),
  })
  .strict();

export type LlmBackendChoice = 'none' | 'openai' | 'llama-cpp';

export interface LlmConfig {
  backend: LlmBackendChoice;
  baseUrl?: string;
  model?: string;
  apiKey?: Secret;
  modelPath?: string;
  responseFormat: 'auto' | 'json_schema' | 'json_object';
  timeoutMs: number;
  maxAttempts: number;
  transportRetries: number;
  temperature: number;
  maxOutputTokens?: number;
  redactPatterns: string[];
  contextSize: number;
  gpu: 'auto' | 'cpu';
  threads: number;
}

export const DEFAULT_LLM_CONFIG: LlmConfig = Object.freeze({
  backend: 'none',
  responseFormat: 'auto',
  timeoutMs: 60_000,
  maxAttempts: 3,
  transportRetries: 2,
  temperature: 0,
  redactPatterns: [],
  contextSize: 4096,
  gpu: 'auto',
  threads: 0,
});

const ENV: Record<string, keyof z.input<typeof FileConfigSchema>> = {
  AUTONOMIC_LLM_BACKEND: 'backend',
  AUTONOMIC_LLM_BASE_URL: 'baseUrl',
  AUTONOMIC_LLM_MODEL: 'model',
  AUTONOMIC_LLM_API_KEY: 'apiKey',
  AUTONOMIC_LLM_MODEL_PATH: 'modelPath',
  AUTONOMIC_LLM_RESPONSE_FORMAT: 'responseFormat',
  AUTONOMIC_LLM_TIMEOUT_MS: 'timeoutMs',
  AUTONOMIC_LLM_MAX_ATTEMPTS: 'maxAttempts',
  AUTONOMIC_LLM_TRANSPORT_RETRIES: 'transportRetries',
  AUTONOMIC_LLM_TEMPERATURE: 'temperature',
  AUTONOMIC_LLM_MAX_OUTPUT_TOKENS: 'maxOutputTokens',
  AUTONOMIC_LLM_REDACT_PATTERNS: 'redactPatterns',
  AUTONOMIC_LLM_CONTEXT_SIZE: 'contextSize',
  AUTONOMIC_LLM_GPU: 'gpu',
  AUTONOMIC_LLM_THREADS: 'threads',
};

const NUMERIC = new Set(['timeoutMs', 'maxAttempts', 'transportRetries', 'temperature', 'maxOutputTokens', 'contextSize', 'threads']);

export interface LoadLlmConfigOptions {
  env?: Record<string, string | undefined>;
  /** A YAML or JSON file; defaults to `AUTONOMIC_LLM_CONFIG` when set. */
  file?: string;
}

/** Reads and validates the configuration. Errors are UserErrors naming the variable or file field, never a value. */
export function loadLlmConfig(options: LoadLlmConfigOptions = {}): LlmConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? nonEmpty(env.AUTONOMIC_LLM_CONFIG);
  const merged: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  if (file !== undefined) {
    const raw = readConfigFile(file);
    for (const [k, v] of Object.entries(raw)) {
      merged[k] = v;
      origin[k] = `${file}: ${k}`;
    }
  }
  for (const [name, key] of Object.entries(ENV)) {
    const v = nonEmpty(env[name]);
    if (v === undefined) continue;
    merged[key] = key === 'redactPatterns' ? v.split('\n').filter((l) => l.trim() !== '') : NUMERIC.has(key) ? toNumber(v, name) : v;
    origin[key] = name;
  }
  const parsed = FileConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue.path[0] ?? '');
    throw new UserError(issue.message, origin[key] ?? (file !== undefined ? file : 'LLM configuration'));
  }
  const c = parsed.data;
  for (const p of c.redactPatterns ?? []) {
    const err = patternError(p);
    if (err !== undefined) throw new UserError(`invalid redaction pattern: ${err}`, origin.redactPatterns);
  }
  // No explicit backend: a base URL means an OpenAI-compatible endpoint, a model file a local model.
  const backend: LlmBackendChoice = c.backend ?? (c.baseUrl !== undefined ? 'openai' : c.modelPath !== undefined ? 'llama-cpp' : 'none');
  if (backend === 'openai' && c.model === undefined) throw new UserError('the openai backend needs a model name', 'AUTONOMIC_LLM_MODEL');
  if (backend === 'llama-cpp' && c.modelPath === undefined) throw new UserError('the llama-cpp backend needs a .gguf model file', 'AUTONOMIC_LLM_MODEL_PATH');
  return {
    ...DEFAULT_LLM_CONFIG,
    backend,
    baseUrl: c.baseUrl,
    model: c.model,
    apiKey: c.apiKey !== undefined ? new Secret(c.apiKey) : undefined,
    modelPath: c.modelPath,
    responseFormat: c.responseFormat ?? DEFAULT_LLM_CONFIG.responseFormat,
    timeoutMs: c.timeoutMs ?? DEFAULT_LLM_CONFIG.timeoutMs,
    maxAttempts: c.maxAttempts ?? DEFAULT_LLM_CONFIG.maxAttempts,
    transportRetries: c.transportRetries ?? DEFAULT_LLM_CONFIG.transportRetries,
    temperature: c.temperature ?? DEFAULT_LLM_CONFIG.temperature,
    maxOutputTokens: c.maxOutputTokens,
    redactPatterns: c.redactPatterns ?? [],
    contextSize: c.contextSize ?? DEFAULT_LLM_CONFIG.contextSize,
    gpu: c.gpu ?? DEFAULT_LLM_CONFIG.gpu,
    threads: c.threads ?? DEFAULT_LLM_CONFIG.threads,
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function toNumber(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UserError('expected a number', name);
  return n;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read LLM configuration: ${e instanceof Error && 'code' in e ? String(e.code) : 'unreadable'}`, path);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new UserError(`not valid YAML/JSON: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, path);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UserError('expected a mapping of settings', path);
  // A file may nest the settings under `llm:` so it can share a file with other settings.
  const root = doc as Record<string, unknown>;
  const inner = root.llm;
  return typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : root;
}
