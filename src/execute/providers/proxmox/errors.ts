/**
 * Errors of the Proxmox client. Each names the request (method and API path) and what went wrong; the
 * API token never appears in one (the client redacts its messages, and the token is never an input).
 */

export type ProxmoxErrorKind = 'auth' | 'permission' | 'http' | 'timeout' | 'network' | 'tls' | 'decode' | 'task-failed' | 'task-timeout';

export class ProxmoxApiError extends Error {
  constructor(
    message: string,
    readonly kind: ProxmoxErrorKind,
    /** "GET /cluster/resources" */
    readonly endpoint: string,
    /** The same request may succeed later (overload, outage, timeout). */
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProxmoxApiError';
  }
}

/** A task that ended with an exit status other than OK, or did not end in time. */
export class ProxmoxTaskError extends ProxmoxApiError {
  constructor(
    message: string,
    kind: 'task-failed' | 'task-timeout',
    endpoint: string,
    readonly upid: string,
    readonly exitStatus?: string,
  ) {
    super(message, kind, endpoint, false);
    this.name = 'ProxmoxTaskError';
  }
}

/** Replaces every occurrence of the given secrets (longest first) with "***". */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  return out;
}
