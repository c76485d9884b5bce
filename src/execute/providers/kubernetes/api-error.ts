/**
 * API failures as one line a human can act on: what was being done, to which object, the HTTP status and the
 * server's own Status message. Never a stack trace.
 */
import { ApiException } from '@kubernetes/client-node';
import { z } from 'zod';

/** The metav1.Status body the API server sends with every error. */
const StatusBodySchema = z.object({
  kind: z.literal('Status').optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  code: z.number().optional(),
  details: z.object({
    name: z.string().optional(),
    kind: z.string().optional(),
    causes: z.array(z.object({ reason: z.string().optional(), message: z.string().optional() })).optional(),
  }).optional(),
});
export type StatusBody = z.infer<typeof StatusBodySchema>;

/** HTTP status of an API error (0 when the request never got an answer). */
export function httpStatusOf(e: unknown): number {
  if (e instanceof ApiException) return e.code;
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown; statusCode?: unknown }) : undefined;
  if (typeof code?.statusCode === 'number') return code.statusCode;
  return 0;
}

/** The Status body of an API error, if the server sent one. */
export function statusBodyOf(e: unknown): StatusBody | undefined {
  if (!(e instanceof ApiException)) return undefined;
  let body: unknown = e.body;
  if (typeof body === 'string') {
    const text: string = body;
    try {
      body = JSON.parse(text);
    } catch {
      return { message: text.slice(0, 300) };
    }
  }
  const parsed = StatusBodySchema.safeParse(body);
  return parsed.success ? parsed.data : undefined;
}

export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
}

export function refText(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** "<doing> Deployment shop/web: HTTP 409 Conflict: the object has been modified…" */
export function describeApiError(doing: string, ref: ObjectRef, e: unknown): string {
  const status = httpStatusOf(e);
  const body = statusBodyOf(e);
  if (status === 0) {
    const msg = e instanceof Error ? e.message : String(e);
    return `${doing} ${refText(ref)}: no answer from the API server (${msg.split('\n')[0]})`;
  }
  const reason = body?.reason ? ` ${body.reason}` : '';
  const message = body?.message ?? (e instanceof Error ? e.message.split('\n')[0] : '');
  return `${doing} ${refText(ref)}: HTTP ${status}${reason}${message ? `: ${message}` : ''}`;
}

/** An API call that failed, carrying the one-line description (its message) and the status. */
export class KubernetesApiError extends Error {
  constructor(doing: string, readonly ref: ObjectRef, readonly status: number, override readonly cause: unknown) {
    super(describeApiError(doing, ref, cause));
    this.name = 'KubernetesApiError';
  }
}

/** Default bound on one API request: a hung API server must not hang the loop's tick. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

class RequestTimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/**
 * Runs one API call, turning any failure into a KubernetesApiError that names the object. The generated clients
 * take no abort signal, so a call slower than `timeoutMs` is abandoned (its answer, if any, is ignored).
 */
export async function apiCall<T>(doing: string, ref: ObjectRef, call: () => Promise<T>, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RequestTimeoutError(timeoutMs)), timeoutMs);
    });
    return await Promise.race([call(), timeout]);
  } catch (e) {
    if (e instanceof KubernetesApiError) throw e;
    throw new KubernetesApiError(doing, ref, httpStatusOf(e), e);
  } finally {
    clearTimeout(timer);
  }
}
