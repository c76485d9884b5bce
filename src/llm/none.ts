import type { LlmProvider, LlmResult, StructuredRequest } from './provider.js';

/** The default backend: no LLM. Every call says so at once, and the caller keeps its deterministic result. */
export class NoLlmProvider implements LlmProvider {
  readonly backend = 'none';
  readonly enabled = false;

  async complete<T>(_request: StructuredRequest<T>): Promise<LlmResult<T>> {
    return {
      status: 'disabled',
      backend: 'none',
      reason: 'no LLM configured (AUTONOMIC_LLM_BACKEND=none): the deterministic path is used',
    };
  }

  async close(): Promise<void> {}
}
