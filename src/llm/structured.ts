import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { BackendError, type ChatBackend, type ChatMessage, type SchemaMode } from './backend.js';
import { toWireSchema } from './json-schema.js';
import { buildMessages, feedbackMessages, MAX_ECHO, newNonce } from './prompt.js';
import type { AttemptFailure, LlmProvider, LlmResult, StructuredRequest, TokenUsage } from './provider.js';
import { Redactor } from './redact.js';

export interface StructuredOptions {
  /** Attempts at a schema-valid reply before escalating (the first try plus retries with feedback). */
  maxAttempts: number;
  responseFormat: 'auto' | SchemaMode;
  redactor: Redactor;
}

/**
 * The shared half of every backend: redact, lay out the prompt, call the backend, parse and validate the reply,
 * feed validation errors back, and escalate after `maxAttempts` unusable replies. Endpoint failures (timeout,
 * refused connection, bad key) are not retried here — the openai client already retries transient HTTP errors —
 * and come back as `failed` with a message scrubbed of secrets.
 */
export class StructuredProvider implements LlmProvider {
  readonly enabled = true;
  /** Starts as configured; `auto` drops to `json_object` for good once the server rejects `json_schema`. */
  private mode: SchemaMode;

  constructor(
    private readonly chat: ChatBackend,
    private readonly options: StructuredOptions,
  ) {
    this.mode = options.responseFormat === 'json_object' ? 'json_object' : 'json_schema';
  }

  get backend(): ChatBackend['name'] {
    return this.chat.name;
  }

  /** The response format in use now (for diagnostics and tests). */
  get schemaMode(): SchemaMode {
    return this.mode;
  }

  async complete<T>(req: StructuredRequest<T>): Promise<LlmResult<T>> {
    const started = performance.now();
    const wire = toWireSchema(req.task, req.schema);
    const nonce = newNonce(req.data);
    const usage: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
    const failures: AttemptFailure[] = [];
    let redactions: Record<string, number> = {};
    let model = this.chat.model;
    let history: ChatMessage[] = [];
    const base = () => ({ backend: this.chat.name, model, latencyMs: performance.now() - started, usage, redactions });

    let attempt = 0;
    while (attempt < this.options.maxAttempts) {
      attempt++;
      const opening = buildMessages({ ...req, mode: this.mode, jsonSchema: wire.schema }, nonce);
      const sent = this.redactAll([...opening, ...history]);
      redactions = sent.counts;
      let reply;
      try {
        reply = await this.chat.chat({ messages: sent.messages, schemaName: wire.name, jsonSchema: wire.schema, strict: wire.strict, mode: this.mode, signal: req.signal });
      } catch (e) {
        const err = e instanceof BackendError ? e : new BackendError('unknown', e instanceof Error ? e.message : String(e));
        if (err.schemaUnsupported && this.mode === 'json_schema' && this.options.responseFormat === 'auto') {
          // The server cannot do structured outputs: not the model's fault, so this try does not count.
          this.mode = 'json_object';
          attempt--;
          continue;
        }
        return { ...base(), status: 'failed', kind: err.kind, reason: this.options.redactor.redact(err.message), attempts: attempt, failures };
      }
      model = reply.model || model;
      usage.promptTokens += reply.usage.promptTokens;
      usage.completionTokens += reply.usage.completionTokens;
      usage.totalTokens += reply.usage.totalTokens;

      const text = reply.content ?? '';
      const checked = check(text, reply.refusal, reply.finishReason, req.schema);
      if (checked.ok) return { ...base(), status: 'ok', value: checked.value, attempts: attempt, failures };
      const failure: AttemptFailure = {
        attempt,
        problem: checked.problem,
        detail: this.options.redactor.redact(checked.detail),
        output: this.options.redactor.redact(text.slice(0, MAX_ECHO)),
      };
      failures.push(failure);
      // A refusal is the model declining on purpose: asking again with the same data rarely changes that.
      if (checked.problem === 'refusal') break;
      history = [...history, ...feedbackMessages(text, failure)];
    }
    const last = failures[failures.length - 1];
    const reason =
      last?.problem === 'refusal'
        ? `the model refused: ${last.detail}`
        : `no schema-valid reply after ${attempt} attempt${attempt === 1 ? '' : 's'}${last ? ` (last: ${last.problem}: ${firstLine(last.detail)})` : ''}`;
    return { ...base(), status: 'escalated', reason, attempts: attempt, failures };
  }

  async close(): Promise<void> {
    await this.chat.close();
  }

  /** Redaction runs on every message of every prompt, retries included, right before it is sent. */
  private redactAll(messages: readonly ChatMessage[]): { messages: ChatMessage[]; counts: Record<string, number> } {
    const counts: Record<string, number> = {};
    const out = messages.map((m) => {
      const r = this.options.redactor.redactWithCounts(m.content);
      for (const [k, n] of Object.entries(r.counts)) counts[k] = (counts[k] ?? 0) + n;
      return { role: m.role, content: r.text };
    });
    return { messages: out, counts };
  }
}

type Checked<T> = { ok: true; value: T } | { ok: false; problem: AttemptFailure['problem']; detail: string };

function check<T>(text: string, refusal: string | undefined, finishReason: string | undefined, schema: z.ZodType<T>): Checked<T> {
  if (refusal !== undefined && refusal !== '') return { ok: false, problem: 'refusal', detail: refusal };
  const body = unfence(text.trim());
  if (body === '') return { ok: false, problem: finishReason === 'length' ? 'truncated' : 'empty', detail: 'the reply had no content' };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, problem: finishReason === 'length' ? 'truncated' : 'invalid-json', detail: msg };
  }
  const parsed = schema.safeParse(json);
  // prettifyError names paths and expectations, never the offending values, so feedback cannot echo an injection.
  if (!parsed.success) return { ok: false, problem: 'schema-violation', detail: z.prettifyError(parsed.error) };
  return { ok: true, value: parsed.data };
}

/** Small models in `json_object` mode often wrap the object in a Markdown fence; accept exactly that, nothing looser. */
function unfence(text: string): string {
  const m = /^```(?:json)?\s*\n([\s\S]*)\n```$/.exec(text);
  return m ? m[1].trim() : text;
}

function firstLine(s: string): string {
  const l = s.split('\n').find((x) => x.trim() !== '') ?? '';
  return l.length > 200 ? l.slice(0, 200) + '…' : l;
}
