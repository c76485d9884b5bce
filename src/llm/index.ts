/**
 * The public surface of the LLM layer, for the callers (log diagnosis, the intent pipeline): build a provider
 * from the configuration, call `complete` with a zod schema, journal whatever result comes back.
 */
export type { AttemptFailure, DataBlock, LlmBackendName, LlmFailureKind, LlmProvider, LlmResult, StructuredRequest, TokenUsage } from './provider.js';
export { loadLlmConfig, type LlmConfig } from './config.js';
export { createLlmProvider } from './create.js';
export { NoLlmProvider } from './none.js';
export { Redactor, type RedactionResult } from './redact.js';
export { injectionMarkers, looksLikePromptInjection } from './injection.js';
