import type { LlmBackendName, LlmFailureKind, TokenUsage } from './provider.js';

/**
 * What a backend (an OpenAI-compatible endpoint, a local GGUF model) must do: send one chat turn and return
 * the raw reply. Everything else — redaction, prompt layout, parsing, validation, retries — is shared, in
 * structured.ts, so every backend gets the same guarantees.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * `json_schema`: the server constrains decoding to the schema (OpenAI structured outputs, llama.cpp grammar).
 * `json_object`: the server only guarantees JSON; the schema travels in the system prompt.
 */
export type SchemaMode = 'json_schema' | 'json_object';

export interface ChatRequest {
  messages: readonly ChatMessage[];
  schemaName: string;
  jsonSchema: Record<string, unknown>;
  /** Whether the schema is valid for OpenAI's strict mode (every property required, no extra properties). */
  strict: boolean;
  mode: SchemaMode;
  signal?: AbortSignal;
}

export interface ChatReply {
  /** The assistant's text; null when the model refused or returned nothing. */
  content: string | null;
  refusal?: string;
  /** `stop`, `length` (cut at max tokens), `content_filter`… as the server reports it. */
  finishReason?: string;
  usage: TokenUsage;
  /** The model the server says answered (may differ from the one asked for, e.g. a dated snapshot). */
  model: string;
}

export interface ChatBackend {
  readonly name: Exclude<LlmBackendName, 'none'>;
  readonly model: string;
  chat(request: ChatRequest): Promise<ChatReply>;
  close(): Promise<void>;
}

/**
 * A failure of the endpoint itself, not of the model's answer. `schemaUnsupported` marks a server that rejected
 * `json_schema` response formats, so the caller can fall back to `json_object`.
 */
export class BackendError extends Error {
  constructor(
    readonly kind: LlmFailureKind,
    message: string,
    readonly schemaUnsupported = false,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}
