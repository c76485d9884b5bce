import type { LlmConfig } from './config.js';
import { loadLlmConfig } from './config.js';
import { LlamaCppBackend } from './llama-cpp.js';
import { NoLlmProvider } from './none.js';
import { OpenAiCompatibleBackend } from './openai-compatible.js';
import type { LlmProvider } from './provider.js';
import { Redactor } from './redact.js';
import { StructuredProvider } from './structured.js';

/**
 * The provider the configuration asks for. Callers (log diagnosis, the intent pipeline) take an `LlmProvider`
 * and never construct a backend themselves, so `none` — the default — is one place to check.
 */
export function createLlmProvider(config: LlmConfig = loadLlmConfig()): LlmProvider {
  if (config.backend === 'none') return new NoLlmProvider();
  // The API key is redacted as a literal too: whatever its format, it never reaches a prompt or an error message.
  const redactor = new Redactor({ extraPatterns: config.redactPatterns, literals: [config.apiKey] });
  const structured = { maxAttempts: config.maxAttempts, responseFormat: config.responseFormat, redactor };
  if (config.backend === 'openai') {
    if (config.model === undefined) throw new Error('openai backend without a model: loadLlmConfig should have refused this');
    return new StructuredProvider(
      new OpenAiCompatibleBackend({
        baseUrl: config.baseUrl,
        model: config.model,
        apiKey: config.apiKey,
        timeoutMs: config.timeoutMs,
        transportRetries: config.transportRetries,
        temperature: config.temperature,
        maxOutputTokens: config.maxOutputTokens,
      }),
      structured,
    );
  }
  if (config.modelPath === undefined) throw new Error('llama-cpp backend without a model file: loadLlmConfig should have refused this');
  return new StructuredProvider(
    new LlamaCppBackend({
      modelPath: config.modelPath,
      contextSize: config.contextSize,
      gpu: config.gpu,
      threads: config.threads > 0 ? config.threads : undefined,
      timeoutMs: config.timeoutMs,
      temperature: config.temperature,
      maxOutputTokens: config.maxOutputTokens,
    }),
    structured,
  );
}
