/**
 * One HTTP exchange with the Proxmox API, behind a small interface. The default uses node:https
 * rather than global fetch because certificate verification must be switchable per client (PVE
 * ships a self-signed certificate) and fetch offers no per-request TLS options without undici's
 * Agent, which is not a dependency here. Verification is on unless explicitly turned off.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** PVE puts its error message in the status line ("401 authentication failure"). */
  statusText: string;
  body: string;
}

export interface HttpTransport {
  request(req: HttpRequest): Promise<HttpResponse>;
}

/** Why an exchange produced no response. `tls`: the server's certificate was not trusted. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'network' | 'tls',
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export interface TlsOptions {
  /** Verify the server certificate (default true). */
  verify?: boolean;
  /** PEM CA bundle to trust instead of the system store (e.g. the cluster's pve-root-ca.pem). */
  ca?: string;
}

/** Answers larger than this are refused: no PVE listing comes near it, and memory stays bounded. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

export function nodeHttpTransport(tls: TlsOptions = {}): HttpTransport {
  const rejectUnauthorized = tls.verify !== false;
  return {
    request(req: HttpRequest): Promise<HttpResponse> {
      return new Promise((resolve, reject) => {
        const url = new URL(req.url);
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const headers: Record<string, string | number> = { ...req.headers };
        if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
        const r = send(url, { method: req.method, headers, rejectUnauthorized, ...(tls.ca ? { ca: tls.ca } : {}), signal: req.signal });
        let settled = false;
        const fail = (e: TransportError): void => {
          if (settled) return;
          settled = true;
          r.destroy();
          reject(e);
        };
        const timer = setTimeout(() => fail(new TransportError(`no answer within ${req.timeoutMs} ms`, 'timeout')), req.timeoutMs);
        r.on('response', (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY_BYTES) fail(new TransportError(`answer larger than ${MAX_BODY_BYTES} bytes`, 'network'));
            else chunks.push(c);
          });
          res.on('end', () => {
            clearTimeout(timer);
            if (settled) return;
            settled = true;
            resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', body: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', (e) => fail(new TransportError(e.message, 'network')));
        });
        r.on('error', (e: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          if (e.code && TLS_CODES.has(e.code)) fail(new TransportError(`the server's TLS certificate is not trusted (${e.code})`, 'tls'));
          else fail(new TransportError(e.code ? `${e.code}: ${e.message}` : e.message, 'network'));
        });
        if (req.body !== undefined) r.write(req.body);
        r.end();
      });
    },
  };
}
