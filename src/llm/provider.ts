import type { z } from 'zod';

/**
 * The one interface every LLM use in Autonomic goes through: a structured completion against a JSON schema
 * derived from a zod schema, returning a typed, validated value with its latency and token usage.
 *
 * Callers never get free text and never get an exception for an expected failure: the result says whether the
 * value is usable (`ok`), whether no LLM is configured (`disabled`: use the deterministic planner), whether the
 * model kept answering outside the schema (`escalated`: hand over to a human) or whether the endpoint failed
 * (`failed`: timeout, connection refused, bad key). Every non-`ok` result is meant to be journaled as it is.
 */

export type LlmBackendName = 'none' | 'openai' | 'llama-cpp';

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/**
 * Untrusted text (log lines, a user's intent, a repository's files). It is only ever sent as a delimited data
 * block inside the user message, never in the system prompt, and it is redacted first.
 */
export interface DataBlock {
  /** What the block is ("log evidence", "intent", "Dockerfile"): shown to the model as the block's name. */
  label: string;
  content: string;
}

export interface StructuredRequest<T> {
  /** Short task name (`log-diagnosis`): names the schema on the wire and the journal entry. */
  task: string;
  /** Trusted instructions written by us. Never interpolate untrusted text here; put it in `data`. */
  system: string;
  /** Trusted question written by us, placed in the user message before the data blocks. */
  instruction: string;
  /** Untrusted inputs, passed as delimited data. */
  data: readonly DataBlock[];
  /** The shape of the answer: sent as JSON Schema, and every reply is validated against it. */
  schema: z.ZodType<T>;
  signal?: AbortSignal;
}

/** Why one attempt's reply could not be used; fed back to the model on the next attempt. */
export interface AttemptFailure {
  attempt: number;
  problem: 'invalid-json' | 'schema-violation' | 'refusal' | 'empty' | 'truncated';
  detail: string;
  /** The reply (redacted, cut to a few thousand characters), for the journal. */
  output: string;
}

/** Kinds of endpoint failure, so a caller can tell "LLM down" from "misconfigured". */
export type LlmFailureKind =
  | 'timeout'
  | 'connection'
  | 'auth'
  | 'rate-limit'
  | 'request'
  | 'server'
  | 'bad-response'
  | 'aborted'
  | 'unavailable'
  | 'config'
  | 'unknown';

interface ResultBase {
  backend: LlmBackendName;
  model: string;
  /** Wall-clock time of the whole call, all attempts included. */
  latencyMs: number;
  /** Summed over attempts; zero where the server does not report usage. */
  usage: TokenUsage;
  /** Values removed from the last prompt sent, by kind (see redact.ts). */
  redactions: Record<string, number>;
}

export type LlmResult<T> =
  | (ResultBase & { status: 'ok'; value: T; attempts: number; failures: AttemptFailure[] })
  | { status: 'disabled'; backend: 'none'; reason: string }
  | (ResultBase & { status: 'escalated'; reason: string; attempts: number; failures: AttemptFailure[] })
  | (ResultBase & { status: 'failed'; kind: LlmFailureKind; reason: string; attempts: number; failures: AttemptFailure[] });

export interface LlmProvider {
  readonly backend: LlmBackendName;
  /** False for `none`: callers may skip building a prompt at all. */
  readonly enabled: boolean;
  complete<T>(request: StructuredRequest<T>): Promise<LlmResult<T>>;
  /** Releases sockets or a loaded model. Safe to call more than once. */
  close(): Promise<void>;
}

export const ZERO_USAGE: TokenUsage = Object.freeze({ promptTokens: 0, completionTokens: 0, totalTokens: 0 });
