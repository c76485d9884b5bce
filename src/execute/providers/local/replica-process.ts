/**
 * One replica: a sample-service child process. Started with an IPC channel (so it dies with us) and tracked for
 * cleanup; `start()` resolves once it listens, or rejects with its stderr if it exits or stays silent first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trackChild } from './child-registry.js';
import type { FaultMode } from './sample-service.js';

const ENTRY = fileURLToPath(new URL('./sample-service.ts', import.meta.url));
const PAGE = 4096;

export interface ReplicaConfig {
  namespace: string;
  service: string;
  version: string;
  cpuMs: number;
  faults: readonly FaultMode[];
  leakMiBPerSecond?: number;
  slowMs?: number;
  errorShare?: number;
}

export interface ReplicaExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
  /** Killed by us (stop, restart, the memory limit), not by itself. */
  byUs: boolean;
}

export class ReplicaProcess {
  readonly startedAt = Date.now();
  port = 0;
  exit: ReplicaExit | undefined;
  private readonly child: ChildProcess;
  private stderr = '';
  private stopping = false;
  private readonly exited: Promise<ReplicaExit>;

  constructor(readonly pod: string, readonly config: ReplicaConfig, onExit: (r: ReplicaProcess) => void) {
    const c = config;
    this.child = spawn(process.execPath, ['--import', 'tsx/esm', ENTRY], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        ...process.env,
        AUTONOMIC_NAMESPACE: c.namespace, AUTONOMIC_SERVICE: c.service, AUTONOMIC_POD: pod, AUTONOMIC_VERSION: c.version,
        AUTONOMIC_PORT: '0', AUTONOMIC_CPU_MS: String(c.cpuMs), AUTONOMIC_FAULTS: c.faults.join(','),
        ...(c.leakMiBPerSecond !== undefined ? { AUTONOMIC_LEAK_MIB_PER_S: String(c.leakMiBPerSecond) } : {}),
        ...(c.slowMs !== undefined ? { AUTONOMIC_SLOW_MS: String(c.slowMs) } : {}),
        ...(c.errorShare !== undefined ? { AUTONOMIC_ERROR_SHARE: String(c.errorShare) } : {}),
      },
    });
    trackChild(this.child);
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal, at: Date.now(), byUs: this.stopping };
        onExit(this);
        resolve(this.exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves with the port once the replica listens. */
  start(timeoutMs = 20_000): Promise<number> {
    return new Promise((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => fail(`did not listen within ${timeoutMs} ms`), timeoutMs);
      const fail = (why: string): void => {
        clearTimeout(timer);
        reject(new Error(`replica ${this.pod} ${why}${this.stderr ? `: ${this.stderr.trim()}` : ''}`));
      };
      this.child.stdout?.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /\{"listening":(\d+)/.exec(buf);
        if (m && this.port === 0) {
          clearTimeout(timer);
          this.port = Number(m[1]);
          resolve(this.port);
        }
      });
      void this.exited.then((e) => {
        if (this.port === 0) fail(`exited (${e.code ?? e.signal}) before listening`);
      });
    });
  }

  /** Working set (RSS) in bytes from /proc; undefined when the process is gone or /proc is not there. */
  rssBytes(): number | undefined {
    if (!this.alive || this.pid === undefined) return undefined;
    try {
      return Number(readFileSync(`/proc/${this.pid}/statm`, 'utf8').split(' ')[1]) * PAGE;
    } catch {
      return undefined;
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  async stop(graceMs = 2000, signal: NodeJS.Signals = 'SIGTERM'): Promise<ReplicaExit> {
    if (this.exit) return this.exit;
    this.stopping = true;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const e = await this.exited;
    clearTimeout(timer);
    return e;
  }
}
