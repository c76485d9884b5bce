/**
 * A Proxmox VE REST client (/api2/json) authenticated by an API token. Reads are retried with
 * exponential backoff and jitter on 5xx, timeouts and connection errors; writes are sent once (a
 * retried clone could create two VMs). Every answer is parsed with zod, and every error names the
 * request and the status without ever containing the token.
 */
import { ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import { z } from 'zod';
import { UserError } from '../../../core/errors.js';
import { sleep } from '../../../core/sleep.js';
import { ProxmoxApiError, ProxmoxTaskError, redact } from './errors.js';
import {
  ClusterResourceSchema,
  ClusterResourceTypeSchema,
  envelope,
  ErrorBodySchema,
  NextIdSchema,
  NodeSummarySchema,
  QemuSummarySchema,
  StorageStatusSchema,
  TaskStatusSchema,
  UpidSchema,
  VmConfigSchema,
  type ClusterResource,
  type ClusterResourceType,
  type NodeSummary,
  type QemuSummary,
  type StorageStatus,
  type TaskStatus,
  type VmConfig,
} from './schemas.js';
import { nodeHttpTransport, TransportError, type HttpMethod, type HttpTransport } from './transport.js';
import { API_TOKEN_PATTERN, type ProxmoxConfig } from './config.js';

export interface ProxmoxClientOptions {
  /** https://host:8006 or https://host:8006/api2/json. */
  url: string;
  /** USER@REALM!TOKENID=SECRET */
  token: string;
  insecureSkipTlsVerify?: boolean;
  /** PEM CA bundle to trust. */
  ca?: string;
  timeoutMs?: number;
  retry?: { maxAttempts: number; initialDelayMs: number; maxDelayMs: number };
  taskPollMs?: number;
  /** The HTTP exchange; default node:http(s) with the TLS options above. */
  transport?: HttpTransport;
}

export interface CloneOptions {
  newid: number;
  name?: string;
  /** Node to place the clone on (default: the template's node). */
  target?: string;
  /** Full copy of the disks (default for VMs; templates default to a linked clone). */
  full?: boolean;
  /** Target storage of a full clone. */
  storage?: string;
  pool?: string;
  description?: string;
}

export interface VmConfigUpdate {
  cores?: number;
  sockets?: number;
  /** MiB. */
  memory?: number;
  name?: string;
  description?: string;
  tags?: string;
  onboot?: boolean;
  agent?: boolean;
  /** cloud-init */
  ciuser?: string;
  /** OpenSSH public keys, one per line. */
  sshkeys?: string;
  ipconfig0?: string;
  net0?: string;
  /** Other config keys (scsi1, ipconfig1, …), sent as they are. */
  extra?: Record<string, string | number | boolean>;
}

export interface WaitOptions {
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal;
}

const NODE_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
/** Exit statuses of a task that finished its job ("WARNINGS: n" completed with warnings). */
const TASK_OK = /^(OK|WARNINGS: \d+)$/;

type Params = Record<string, string | number | boolean | undefined>;

export class ProxmoxClient {
  readonly baseUrl: string;
  // Private fields: not enumerable, so neither JSON.stringify nor util.inspect of a client shows the token.
  readonly #authHeader: string;
  readonly #secrets: string[];
  readonly #transport: HttpTransport;
  readonly #timeoutMs: number;
  readonly #readPolicy: RetryPolicy;
  readonly #taskPollMs: number;

  constructor(o: ProxmoxClientOptions) {
    if (!API_TOKEN_PATTERN.test(o.token)) throw new UserError('the Proxmox API token must have the form USER@REALM!TOKENID=SECRET', 'proxmox token');
    this.baseUrl = apiBase(o.url);
    this.#authHeader = `PVEAPIToken=${o.token}`;
    const secret = o.token.slice(o.token.indexOf('=') + 1);
    this.#secrets = [this.#authHeader, o.token, secret];
    this.#transport = o.transport ?? nodeHttpTransport({ verify: o.insecureSkipTlsVerify !== true, ca: o.ca });
    this.#timeoutMs = o.timeoutMs ?? 15000;
    this.#taskPollMs = o.taskPollMs ?? 1000;
    const r = o.retry ?? { maxAttempts: 3, initialDelayMs: 250, maxDelayMs: 5000 };
    this.#readPolicy = retry(
      handleWhen((e) => e instanceof ProxmoxApiError && e.retryable),
      { maxAttempts: r.maxAttempts, backoff: new ExponentialBackoff({ initialDelay: r.initialDelayMs, maxDelay: r.maxDelayMs }) },
    );
  }

  /** A client from a validated config (the CA file, if any, is read here). */
  static async fromConfig(c: ProxmoxConfig, transport?: HttpTransport): Promise<ProxmoxClient> {
    let ca: string | undefined;
    if (c.caFile) {
      const { readFile } = await import('node:fs/promises');
      try {
        ca = await readFile(c.caFile, 'utf8');
      } catch (e) {
        throw new UserError(`cannot read the CA file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, c.caFile);
      }
    }
    return new ProxmoxClient({ url: c.url, token: c.token, insecureSkipTlsVerify: c.insecureSkipTlsVerify, ca, timeoutMs: c.timeoutMs, retry: c.retry, taskPollMs: c.taskPollMs, transport });
  }

  clusterResources(type?: ClusterResourceType): Promise<ClusterResource[]> {
    if (type !== undefined) ClusterResourceTypeSchema.parse(type);
    return this.get('/cluster/resources', ClusterResourceSchema.array(), type ? { type } : undefined);
  }

  nodes(): Promise<NodeSummary[]> {
    return this.get('/nodes', NodeSummarySchema.array());
  }

  qemuList(node: string): Promise<QemuSummary[]> {
    return this.get(`/nodes/${seg(nodeName(node))}/qemu`, QemuSummarySchema.array());
  }

  vmConfig(node: string, vmid: number): Promise<VmConfig> {
    return this.get(`/nodes/${seg(nodeName(node))}/qemu/${vmId(vmid)}/config`, VmConfigSchema);
  }

  nextId(): Promise<number> {
    return this.get('/cluster/nextid', NextIdSchema);
  }

  storage(node: string): Promise<StorageStatus[]> {
    return this.get(`/nodes/${seg(nodeName(node))}/storage`, StorageStatusSchema.array());
  }

  /** Starts a clone of `vmid` (usually a template); resolves to the task id to wait for. */
  clone(node: string, vmid: number, o: CloneOptions): Promise<string> {
    if (o.storage !== undefined && o.full === false) throw new UserError('a target storage needs a full clone (full: true); a linked clone stays on the template\'s storage', 'proxmox clone');
    const params: Params = { newid: vmId(o.newid), name: o.name, target: o.target === undefined ? undefined : nodeName(o.target), full: o.full, storage: o.storage, pool: o.pool, description: o.description };
    return this.send('POST', `/nodes/${seg(nodeName(node))}/qemu/${vmId(vmid)}/clone`, UpidSchema, params);
  }

  /** Changes the VM's config synchronously (PUT). */
  async setConfig(node: string, vmid: number, u: VmConfigUpdate): Promise<void> {
    const { extra, sshkeys, ...known } = u;
    // PVE wants sshkeys URL-encoded inside the (also encoded) form body.
    const params: Params = { ...extra, ...known, sshkeys: sshkeys === undefined ? undefined : encodeURIComponent(sshkeys) };
    if (Object.values(params).every((v) => v === undefined)) throw new UserError('no config keys to set', 'proxmox setConfig');
    await this.send('PUT', `/nodes/${seg(nodeName(node))}/qemu/${vmId(vmid)}/config`, z.unknown(), params);
  }

  taskStatus(node: string, upid: string): Promise<TaskStatus> {
    return this.get(`/nodes/${seg(nodeName(node))}/tasks/${seg(taskId(upid))}/status`, TaskStatusSchema);
  }

  /**
   * Polls the task until it stops. Resolves with its final status when the exit status is OK (or
   * "WARNINGS: n"); rejects with a ProxmoxTaskError carrying PVE's error text otherwise, or when
   * the task is still running after `timeoutMs`.
   */
  async waitForTask(node: string, upid: string, o: WaitOptions | number): Promise<TaskStatus> {
    const opts: WaitOptions = typeof o === 'number' ? { timeoutMs: o } : o;
    const pollMs = opts.pollMs ?? this.#taskPollMs;
    const deadline = Date.now() + opts.timeoutMs;
    const endpoint = `GET /nodes/${node}/tasks/${upid}/status`;
    for (;;) {
      const s = await this.taskStatus(node, upid);
      if (s.status === 'stopped') {
        if (s.exitstatus !== undefined && TASK_OK.test(s.exitstatus)) return s;
        const why = s.exitstatus ?? 'no exit status';
        throw new ProxmoxTaskError(this.clean(`Proxmox task ${upid} on ${node} failed: ${why}`), 'task-failed', endpoint, upid, s.exitstatus);
      }
      if (opts.signal?.aborted) throw new ProxmoxTaskError(`stopped waiting for Proxmox task ${upid} on ${node}: aborted`, 'task-timeout', endpoint, upid);
      if (Date.now() + pollMs > deadline) {
        throw new ProxmoxTaskError(`Proxmox task ${upid} on ${node} is still running after ${Math.round(opts.timeoutMs / 1000)} s`, 'task-timeout', endpoint, upid);
      }
      await sleep(pollMs, opts.signal);
    }
  }

  private get<S extends z.ZodType>(path: string, data: S, params?: Params): Promise<z.output<S>> {
    return this.#readPolicy.execute(() => this.exchange('GET', path, data, params));
  }

  private send<S extends z.ZodType>(method: HttpMethod, path: string, data: S, params: Params): Promise<z.output<S>> {
    return this.exchange(method, path, data, params);
  }

  private async exchange<S extends z.ZodType>(method: HttpMethod, path: string, data: S, params?: Params): Promise<z.output<S>> {
    const endpoint = `${method} ${path}`;
    const form = encodeParams(params);
    const url = this.baseUrl + path + (method === 'GET' && form ? `?${form}` : '');
    const headers: Record<string, string> = { authorization: this.#authHeader, accept: 'application/json' };
    let body: string | undefined;
    if (method !== 'GET' && form) {
      body = form;
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    let res;
    try {
      res = await this.#transport.request({ method, url, headers, body, timeoutMs: this.#timeoutMs });
    } catch (e) {
      if (e instanceof TransportError) {
        const hint = e.kind === 'tls' ? '; trust the cluster CA (caFile / AUTONOMIC_PROXMOX_CA_FILE) or, knowingly, turn verification off (AUTONOMIC_PROXMOX_INSECURE=1)' : '';
        throw new ProxmoxApiError(this.clean(`Proxmox ${endpoint}: ${e.message}${hint}`), e.kind, endpoint, e.kind !== 'tls', undefined);
      }
      throw new ProxmoxApiError(this.clean(`Proxmox ${endpoint}: ${e instanceof Error ? e.message : String(e)}`), 'network', endpoint, true);
    }
    const json = parseJson(res.body);
    if (res.status < 200 || res.status >= 300) throw this.httpError(endpoint, res.status, res.statusText, json);
    const parsed = envelope(data).safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(body)';
      const what = json === undefined ? `not JSON: ${JSON.stringify(res.body.slice(0, 80))}` : `${field}: ${issue.message}`;
      throw new ProxmoxApiError(this.clean(`Proxmox ${endpoint}: unexpected answer, ${what}`), 'decode', endpoint, false, res.status);
    }
    return (parsed.data as { data: z.output<S> }).data;
  }

  private httpError(endpoint: string, status: number, statusText: string, json: unknown): ProxmoxApiError {
    const eb = ErrorBodySchema.safeParse(json);
    const message = eb.success ? eb.data.message?.trim() : undefined;
    const params = eb.success && eb.data.errors ? Object.entries(eb.data.errors).map(([k, v]) => `${k}: ${v.trim()}`).join('; ') : '';
    const detail = [message || statusText.trim(), params].filter(Boolean).join(' — ') || 'no message';
    if (status === 401) {
      return new ProxmoxApiError(this.clean(`Proxmox ${endpoint}: authentication failed (HTTP 401: ${statusText.trim() || 'no message'}); check the API token (USER@REALM!TOKENID=SECRET), that it exists and has not expired`), 'auth', endpoint, false, status);
    }
    if (status === 403) return new ProxmoxApiError(this.clean(`Proxmox ${endpoint}: permission denied (HTTP 403: ${detail}); grant the token's role the privilege on that path`), 'permission', endpoint, false, status);
    // PVE answers 500 also for a missing VM or config ("… does not exist"): retrying cannot help then.
    const permanent = /does not exist|no such|already exists/i.test(detail);
    const retryable = (status >= 500 || status === 429 || status === 408) && !permanent;
    return new ProxmoxApiError(this.clean(`Proxmox ${endpoint}: HTTP ${status}: ${detail}`), 'http', endpoint, retryable, status);
  }

  private clean(message: string): string {
    return redact(message, this.#secrets);
  }
}

/** Base URL ending in /api2/json, without a trailing slash. */
function apiBase(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError('not a URL (expected https://host:8006)', 'proxmox url');
  }
  if (u.username || u.password) throw new UserError('credentials do not belong in the URL; use the API token', 'proxmox url');
  const path = u.pathname.replace(/\/+$/, '');
  return `${u.origin}${path.endsWith('/api2/json') ? path : `${path}/api2/json`}`;
}

function encodeParams(params: Params | undefined): string {
  if (!params) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    p.append(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  return p.toString();
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function seg(s: string): string {
  return encodeURIComponent(s);
}

function nodeName(node: string): string {
  if (!NODE_NAME.test(node)) throw new UserError(`"${node}" is not a Proxmox node name`, 'proxmox node');
  return node;
}

function vmId(vmid: number): number {
  if (!Number.isInteger(vmid) || vmid < 100 || vmid > 999_999_999) throw new UserError(`${vmid} is not a VMID (100–999999999)`, 'proxmox vmid');
  return vmid;
}

function taskId(upid: string): string {
  const r = UpidSchema.safeParse(upid);
  if (!r.success) throw new UserError(`"${upid.slice(0, 80)}" is not a task id (UPID:…)`, 'proxmox upid');
  return upid;
}
