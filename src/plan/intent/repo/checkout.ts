/**
 * A repository on local disk from a source: a local directory is used where it is; a git URL
 * (https://, http://, ssh://, user@host:path, file://) is cloned shallowly into a temporary
 * directory. Nothing from the repository runs: hooks are pointed at /dev/null, submodules and LFS
 * downloads are off, symbolic links are checked out as plain files, and git never prompts.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { UserError } from '../../../core/errors.js';

export interface Checkout {
  dir: string;
  /** The repository's name as its path or URL gives it ("shop" for …/shop.git). */
  label: string;
  cloned: boolean;
  cleanup(): Promise<void>;
}

export interface CheckoutOptions {
  /** Clone timeout (default 60 s). */
  timeoutMs?: number;
  /** Branch or tag to clone (default: the remote's HEAD). */
  ref?: string;
  /** git executable (default "git" on PATH). */
  git?: string;
}

const URL_SCHEMES = /^(https?|ssh|file):\/\//i;
const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[A-Za-z0-9._~\/-]+$/;

export async function checkoutRepository(source: string, o: CheckoutOptions = {}): Promise<Checkout> {
  const src = source.trim();
  if (src === '') throw new UserError('no repository given (a local directory or a git URL)', 'repository');
  if (src.startsWith('-')) throw new UserError(`"${src.slice(0, 60)}" is not a repository path or URL`, 'repository');
  if (URL_SCHEMES.test(src) || SCP_LIKE.test(src)) return clone(src, o);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(src) || src.includes('::')) {
    throw new UserError(`unsupported repository URL "${displayUrl(src)}": use https://, http://, ssh://, user@host:path or file://`, 'repository');
  }
  const dir = resolve(src);
  let st;
  try {
    st = await stat(dir);
  } catch {
    throw new UserError(`repository not found: no directory ${dir}`, 'repository');
  }
  if (!st.isDirectory()) throw new UserError(`repository not found: ${dir} is not a directory`, 'repository');
  return { dir, label: basename(dir), cloned: false, cleanup: async () => {} };
}

async function clone(url: string, o: CheckoutOptions): Promise<Checkout> {
  if (o.ref !== undefined && !/^[A-Za-z0-9._\/-]+$/.test(o.ref)) throw new UserError(`"${o.ref.slice(0, 60)}" is not a branch or tag name`, 'repository ref');
  if (o.ref?.startsWith('-')) throw new UserError(`"${o.ref.slice(0, 60)}" is not a branch or tag name`, 'repository ref');
  const parent = await mkdtemp(join(tmpdir(), 'autonomic-repo-'));
  const dir = join(parent, 'repo');
  const cleanup = (): Promise<void> => rm(parent, { recursive: true, force: true });
  const timeoutMs = o.timeoutMs ?? 60_000;
  const args = [
    '-c', 'core.hooksPath=/dev/null',
    '-c', 'core.symlinks=false',
    '-c', 'core.fsmonitor=false',
    '-c', 'protocol.ext.allow=never',
    '-c', 'submodule.recurse=false',
    'clone', '--depth', '1', '--single-branch', '--no-recurse-submodules', '--quiet',
    ...(o.ref ? ['--branch', o.ref] : []),
    '--', url, dir,
  ];
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_LFS_SKIP_SMUDGE: '1', GIT_ASKPASS: '', SSH_ASKPASS: '', GIT_SSH_COMMAND: 'ssh -o BatchMode=yes' };
  try {
    await new Promise<void>((res, rej) => {
      execFile(o.git ?? 'git', args, { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 }, (err, _stdout, stderr) => {
        if (!err) return res();
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        if (e.code === 'ENOENT') return rej(new UserError('git is not installed (needed to clone a repository URL)', 'repository'));
        if (e.killed) return rej(new UserError(`git clone of ${displayUrl(url)} did not finish within ${Math.round(timeoutMs / 1000)} s`, 'repository'));
        rej(new UserError(`git clone of ${displayUrl(url)} failed: ${gitReason(String(stderr))}`, 'repository'));
      });
    });
  } catch (e) {
    await cleanup();
    throw e;
  }
  const label = basename(url.replace(/[?#].*$/, '').replace(/\/+$/, '').replace(/\.git$/, '').replace(/^.*:/, '')) || 'app';
  return { dir, label, cloned: true, cleanup };
}

/** The URL without credentials (https://user:token@host → https://***@host). */
function displayUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i, '$1***@').slice(0, 200);
}

/** The useful line of git's stderr ("fatal: repository '…' does not exist"), credentials removed. */
function gitReason(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /^fatal:/i.test(l)) ?? lines.at(-1) ?? 'no message';
  return line.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@').slice(0, 300);
}
