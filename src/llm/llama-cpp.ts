import { access, constants } from 'node:fs/promises';
import { BackendError, type ChatBackend, type ChatMessage, type ChatReply, type ChatRequest } from './backend.js';

/**
 * A local GGUF model through node-llama-cpp, an optional dependency: it is loaded with a dynamic import on first
 * use, so the rest of Autonomic installs, compiles and runs without it. With `json_schema` the reply is
 * constrained by a grammar generated from the schema (llama.cpp's GBNF), so even a small model emits the shape.
 *
 * The module is typed here structurally, with only what we call: the package's own types are not available
 * when the optional dependency is absent, and `tsc` must pass either way.
 */

interface TokenMeterLike {
  readonly usedInputTokens: number;
  readonly usedOutputTokens: number;
}
interface SequenceLike {
  readonly tokenMeter: TokenMeterLike;
}
interface GrammarLike {
  readonly grammar?: string;
}
type HistoryItem = { type: 'system'; text: string } | { type: 'user'; text: string } | { type: 'model'; response: string[] };
interface ChatSessionLike {
  setChatHistory(history: HistoryItem[]): void;
  prompt(text: string, options: { grammar?: GrammarLike; maxTokens?: number; temperature?: number; signal?: AbortSignal; seed?: number }): Promise<string>;
  dispose(options?: { disposeSequence?: boolean }): void;
}
interface ContextLike {
  getSequence(): SequenceLike;
  dispose(): Promise<void>;
}
interface ModelLike {
  createContext(options: { contextSize?: number; threads?: number }): Promise<ContextLike>;
  dispose(): Promise<void>;
}
interface LlamaLike {
  loadModel(options: { modelPath: string }): Promise<ModelLike>;
  createGrammarForJsonSchema(schema: Record<string, unknown>): Promise<GrammarLike>;
  dispose(): Promise<void>;
}
export interface NodeLlamaCppModule {
  getLlama(options: { gpu?: 'auto' | false; build?: 'never'; skipDownload?: boolean; progressLogs?: boolean }): Promise<LlamaLike>;
  LlamaChatSession: new (options: { contextSequence: SequenceLike; autoDisposeSequence?: boolean }) => ChatSessionLike;
}

export interface LlamaCppOptions {
  modelPath: string;
  contextSize: number;
  gpu: 'auto' | 'cpu';
  /**
   * CPU threads for generation; undefined lets node-llama-cpp choose. On a small, busy machine 1 can be far
   * faster: llama.cpp's threads spin at every layer barrier and stall when the scheduler parks one of them.
   */
  threads?: number;
  timeoutMs: number;
  temperature: number;
  maxOutputTokens?: number;
  /** How the module is loaded; tests replace it to simulate a missing install. */
  load?: () => Promise<unknown>;
}

/** The version this project pins; named in the "not installed" message so the fix is one command. */
export const NODE_LLAMA_CPP_INSTALL = 'npm install --save-optional -E node-llama-cpp@3.21.1';

const MODULE_NAME = 'node-llama-cpp';

export async function loadNodeLlamaCpp(load: () => Promise<unknown> = () => import(MODULE_NAME)): Promise<NodeLlamaCppModule> {
  let mod: unknown;
  try {
    mod = await load();
  } catch (e) {
    const code = e instanceof Error && 'code' in e ? String(e.code) : '';
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new BackendError('unavailable', `the llama-cpp backend needs the optional package node-llama-cpp, which is not installed: ${NODE_LLAMA_CPP_INSTALL}`);
    throw new BackendError('unavailable', `node-llama-cpp could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isModule(mod)) throw new BackendError('unavailable', 'node-llama-cpp was loaded but does not export getLlama/LlamaChatSession (unsupported version?)');
  return mod;
}

function isModule(m: unknown): m is NodeLlamaCppModule {
  return typeof m === 'object' && m !== null && 'getLlama' in m && typeof m.getLlama === 'function' && 'LlamaChatSession' in m && typeof m.LlamaChatSession === 'function';
}

interface Loaded {
  mod: NodeLlamaCppModule;
  llama: LlamaLike;
  model: ModelLike;
  context: ContextLike;
  sequence: SequenceLike;
}

export class LlamaCppBackend implements ChatBackend {
  readonly name = 'llama-cpp';
  readonly model: string;
  private loading?: Promise<Loaded>;
  /** One context sequence, so generations run one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly grammars = new Map<string, GrammarLike>();

  constructor(private readonly options: LlamaCppOptions) {
    this.model = options.modelPath.split(/[\\/]/).pop() ?? options.modelPath;
  }

  chat(req: ChatRequest): Promise<ChatReply> {
    const run = this.queue.then(() => this.generate(req));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const l = this.loading;
    this.loading = undefined;
    if (!l) return;
    const loaded = await l.catch(() => undefined);
    if (!loaded) return;
    await loaded.context.dispose();
    await loaded.model.dispose();
    await loaded.llama.dispose();
  }

  private load(): Promise<Loaded> {
    this.loading ??= (async () => {
      try {
        await access(this.options.modelPath, constants.R_OK);
      } catch {
        throw new BackendError('config', `model file not found or unreadable: ${this.options.modelPath}`);
      }
      const mod = await loadNodeLlamaCpp(this.options.load);
      try {
        // build: 'never' — never try to compile llama.cpp (which would download its sources) at run time.
        const llama = await mod.getLlama({ gpu: this.options.gpu === 'cpu' ? false : 'auto', build: 'never', skipDownload: true, progressLogs: false });
        const model = await llama.loadModel({ modelPath: this.options.modelPath });
        const context = await model.createContext({ contextSize: this.options.contextSize, ...(this.options.threads ? { threads: this.options.threads } : {}) });
        return { mod, llama, model, context, sequence: context.getSequence() };
      } catch (e) {
        throw new BackendError('unavailable', `cannot load ${this.model}: ${e instanceof Error ? e.message : String(e)}`);
      }
    })();
    // A failed load is not cached: the file may appear or be fixed later.
    this.loading.catch(() => (this.loading = undefined));
    return this.loading;
  }

  private async generate(req: ChatRequest): Promise<ChatReply> {
    const l = await this.load();
    let grammar: GrammarLike | undefined;
    if (req.mode === 'json_schema') {
      const key = JSON.stringify(req.jsonSchema);
      grammar = this.grammars.get(key);
      if (!grammar) {
        try {
          grammar = await l.llama.createGrammarForJsonSchema(req.jsonSchema);
        } catch (e) {
          // A schema feature the grammar generator lacks: let the caller fall back to schema-in-prompt.
          throw new BackendError('request', `cannot turn the schema into a grammar: ${e instanceof Error ? e.message : String(e)}`, true);
        }
        this.grammars.set(key, grammar);
      }
    }
    const { history, last } = toHistory(req.messages);
    const session = new l.mod.LlamaChatSession({ contextSequence: l.sequence, autoDisposeSequence: false });
    const before = { input: l.sequence.tokenMeter.usedInputTokens, output: l.sequence.tokenMeter.usedOutputTokens };
    // A plain timer rather than AbortSignal.timeout(), whose timer is unref'd and would not keep the process alive.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.options.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout.signal]) : timeout.signal;
    try {
      session.setChatHistory(history);
      const text = await session.prompt(last, {
        grammar,
        maxTokens: this.options.maxOutputTokens,
        temperature: this.options.temperature,
        signal,
      });
      const promptTokens = l.sequence.tokenMeter.usedInputTokens - before.input;
      const completionTokens = l.sequence.tokenMeter.usedOutputTokens - before.output;
      // node-llama-cpp does not say why generation stopped; hitting the token cap is the one case that matters.
      const capped = this.options.maxOutputTokens !== undefined && completionTokens >= this.options.maxOutputTokens;
      return { content: text, finishReason: capped ? 'length' : 'stop', usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens }, model: this.model };
    } catch (e) {
      if (timeout.signal.aborted) throw new BackendError('timeout', `${this.model} did not finish within ${this.options.timeoutMs} ms`);
      if (req.signal?.aborted) throw new BackendError('aborted', 'generation was aborted');
      throw new BackendError('unknown', `generation failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      clearTimeout(timer);
      session.dispose({ disposeSequence: false });
    }
  }
}

/** Chat messages → node-llama-cpp history plus the final user turn, which `prompt()` takes separately. */
function toHistory(messages: readonly ChatMessage[]): { history: HistoryItem[]; last: string } {
  const lastUser = messages.length - 1;
  if (lastUser < 0 || messages[lastUser].role !== 'user') throw new BackendError('request', 'the last message must be the user turn');
  const history: HistoryItem[] = messages.slice(0, lastUser).map((m) =>
    m.role === 'system' ? { type: 'system', text: m.content } : m.role === 'user' ? { type: 'user', text: m.content } : { type: 'model', response: [m.content] },
  );
  return { history, last: messages[lastUser].content };
}
