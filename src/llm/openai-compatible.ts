import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { z } from 'zod';
import { BackendError, type ChatBackend, type ChatReply, type ChatRequest } from './backend.js';
import type { Secret } from './secret.js';

export interface OpenAiCompatibleOptions {
  /** Defaults to OpenAI's own endpoint; Ollama is http://127.0.0.1:11434/v1, llama.cpp server http://127.0.0.1:8080/v1. */
  baseUrl?: string;
  model: string;
  apiKey?: Secret;
  timeoutMs: number;
  transportRetries: number;
  temperature: number;
  maxOutputTokens?: number;
}

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * Any OpenAI-compatible `/v1/chat/completions` endpoint through the official `openai` client: OpenAI, Gemini's
 * OpenAI-compatible endpoint, Ollama, vLLM, the llama.cpp server. Structured outputs go as
 * `response_format: json_schema`; `json_object` is the fallback for servers without them.
 */
export class OpenAiCompatibleBackend implements ChatBackend {
  readonly name = 'openai';
  readonly model: string;
  /** A #private field: `util.inspect` of this backend must not reach the client, which holds the raw key. */
  readonly #client: OpenAI;
  private readonly baseUrl: string;

  constructor(private readonly options: OpenAiCompatibleOptions) {
    this.model = options.model;
    this.baseUrl = options.baseUrl ?? OPENAI_DEFAULT_BASE_URL;
    this.#client = new OpenAI({
      baseURL: this.baseUrl,
      // Local servers ignore the key but the client insists on one (Ollama's docs use a placeholder too).
      apiKey: options.apiKey?.reveal() ?? 'no-key',
      // Everything explicit, so OPENAI_* variables of the surrounding environment cannot redirect requests,
      // add an organisation header or turn on request logging.
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
      timeout: options.timeoutMs,
      maxRetries: options.transportRetries,
      logLevel: 'off',
    });
  }

  async chat(req: ChatRequest): Promise<ChatReply> {
    const responseFormat =
      req.mode === 'json_schema'
        ? { type: 'json_schema' as const, json_schema: { name: req.schemaName, schema: req.jsonSchema, strict: req.strict } }
        : { type: 'json_object' as const };
    let raw: unknown;
    try {
      raw = await this.#client.chat.completions.create(
        {
          model: this.model,
          messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
          temperature: this.options.temperature,
          ...(this.options.maxOutputTokens !== undefined ? { max_tokens: this.options.maxOutputTokens } : {}),
          response_format: responseFormat,
        },
        { signal: req.signal },
      );
    } catch (e) {
      throw this.toBackendError(e, req.mode === 'json_schema');
    }
    const parsed = CompletionShape.safeParse(raw);
    if (!parsed.success) throw new BackendError('bad-response', `${this.host()} answered with something that is not a chat completion`);
    const choice = parsed.data.choices[0];
    const u = parsed.data.usage;
    const promptTokens = u?.prompt_tokens ?? 0;
    const completionTokens = u?.completion_tokens ?? 0;
    return {
      content: choice.message?.content ?? null,
      refusal: choice.message?.refusal ?? undefined,
      finishReason: choice.finish_reason ?? undefined,
      usage: { promptTokens, completionTokens, totalTokens: u?.total_tokens ?? promptTokens + completionTokens },
      model: parsed.data.model ?? this.model,
    };
  }

  async close(): Promise<void> {
    // The client holds no sockets of its own (it uses the global fetch pool); nothing to release.
  }

  private host(): string {
    try {
      return new URL(this.baseUrl).host;
    } catch {
      return 'the LLM endpoint';
    }
  }

  /** Clear, secret-free messages: the server's own error text is kept (it says what was wrong) but is redacted later. */
  private toBackendError(e: unknown, usedJsonSchema: boolean): BackendError {
    const where = this.host();
    if (e instanceof APIUserAbortError) return new BackendError('aborted', `request to ${where} was aborted`);
    if (e instanceof APIConnectionTimeoutError) return new BackendError('timeout', `no answer from ${where} within ${this.options.timeoutMs} ms`);
    if (e instanceof APIConnectionError) return new BackendError('connection', `cannot connect to ${where}${causeCode(e)}`);
    if (e instanceof APIError) {
      const status = e.status ?? 0;
      const detail = serverMessage(e);
      if (status === 401 || status === 403) return new BackendError('auth', `${where} rejected the credentials (HTTP ${status})${detail}`);
      if (status === 429) return new BackendError('rate-limit', `${where} is rate-limiting requests (HTTP 429)${detail}`);
      if (status >= 500) return new BackendError('server', `${where} failed (HTTP ${status})${detail}`);
      const schemaUnsupported = usedJsonSchema && status === 400 && /response_format|json_schema|structured output|schema/i.test(detail);
      return new BackendError('request', `${where} rejected the request (HTTP ${status})${detail}`, schemaUnsupported);
    }
    return new BackendError('unknown', `request to ${where} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Only the fields we use; anything else a server adds (timings, system_fingerprint) is ignored. */
const CompletionShape = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: z
    .object({ prompt_tokens: z.number().nullish(), completion_tokens: z.number().nullish(), total_tokens: z.number().nullish() })
    .nullish(),
});

function serverMessage(e: APIError): string {
  const body: unknown = e.error;
  const msg = typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string' ? body.message : '';
  return msg ? `: ${msg.slice(0, 500)}` : '';
}

function causeCode(e: APIConnectionError): string {
  let c: unknown = e.cause;
  // fetch wraps the socket error: TypeError('fetch failed', { cause: Error { code: 'ECONNREFUSED' } }).
  for (let i = 0; i < 3 && c instanceof Error; i++) {
    if ('code' in c && typeof c.code === 'string') return ` (${c.code})`;
    c = c.cause;
  }
  return '';
}
