/**
 * The real `ansible-playbook --syntax-check`, behind a small interface so the validator stays
 * testable. The bundle is written to a fresh temp dir, and HOME / ANSIBLE_LOCAL_TEMP point there,
 * so Ansible writes nothing (no ~/.ansible, no retry files) anywhere else; the dir is removed after.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, normalize, posix, relative, sep } from 'node:path';
import type { ArtefactFile } from '../artefact.js';

export interface SyntaxProblem {
  /** Bundle-relative path of the file Ansible blamed (the playbook when it named none). */
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export type SyntaxCheckResult = { status: 'passed'; playbook: string } | { status: 'failed'; playbook: string; problem: SyntaxProblem } | { status: 'unavailable'; reason: string };

export interface AnsibleSyntaxChecker {
  check(files: readonly ArtefactFile[]): Promise<SyntaxCheckResult[]>;
}

function onPath(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return join(dir, bin);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** A bundle path that stays inside the temp dir (ArtefactFile promises it; a bad one must not write elsewhere). */
function safeRelative(path: string): boolean {
  const n = normalize(path);
  return n !== '' && !isAbsolute(path) && !n.split(/[\\/]/).includes('..');
}

/**
 * Ansible's error text: "ERROR! <what>" then "The error appears to be in '<file>': line N, column M".
 * The first line is enough to act on; the excerpt Ansible prints after it is left out.
 */
export function parseSyntaxOutput(output: string, root: string, playbook: string): SyntaxProblem {
  // A YAML error's useful line comes after Ansible's "could not read as JSON nor YAML" preamble.
  const yamlError = /Syntax Error while loading YAML\.\s*\n\s*([^\n]+)/.exec(output)?.[1].trim();
  const error = yamlError ? `YAML syntax error: ${yamlError}` : /ERROR! ([^\n]+(?:\n(?!\n)[^\n]+)*)/.exec(output)?.[1].replace(/\s*\n\s*/g, ' ').trim();
  const where = /The error appears to be in '([^']+)': line (\d+), column (\d+)/.exec(output);
  const warning = /\[WARNING\]: ([^\n]+)/.exec(output)?.[1];
  const file = where ? relative(root, where[1]).split(sep).join(posix.sep) : playbook;
  return {
    file: file.startsWith('..') ? playbook : file,
    line: where ? Number(where[2]) : undefined,
    column: where ? Number(where[3]) : undefined,
    message: error ?? warning ?? (output.trim().split('\n').slice(-1)[0] || 'ansible-playbook --syntax-check failed without a message'),
  };
}

interface RunResult {
  code: number | null;
  output: string;
  timedOut: boolean;
}

function run(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(bin, args, { cwd, env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, output: `${stderr}\n${stdout}`, timedOut: !!e?.killed });
    });
  });
}

export interface SyntaxCheckerOptions {
  /** The ansible-playbook binary; found on PATH when absent, null to act as if it were not installed. */
  bin?: string | null;
  timeoutMs?: number;
}

export class AnsiblePlaybookSyntaxChecker implements AnsibleSyntaxChecker {
  private readonly bin: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: SyntaxCheckerOptions = {}) {
    this.bin = options.bin === undefined ? onPath('ansible-playbook') : (options.bin ?? undefined);
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  async check(files: readonly ArtefactFile[]): Promise<SyntaxCheckResult[]> {
    const playbooks = files.filter((f) => f.kind === 'ansible-playbook');
    if (playbooks.length === 0) return [];
    if (!this.bin) return [{ status: 'unavailable', reason: 'ansible-playbook is not installed (Debian: apt-get install ansible)' }];
    const bad = files.find((f) => !safeRelative(f.path));
    if (bad) return [{ status: 'failed', playbook: bad.path, problem: { file: bad.path, message: `"${bad.path}" is not a relative path inside the bundle` } }];
    const root = await mkdtemp(join(tmpdir(), 'autonomic-ansible-'));
    try {
      for (const f of files) {
        await mkdir(dirname(join(root, f.path)), { recursive: true });
        await writeFile(join(root, f.path), f.content);
      }
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        LANG: 'C.UTF-8',
        HOME: root,
        ANSIBLE_HOME: join(root, '.ansible'),
        ANSIBLE_LOCAL_TEMP: join(root, '.ansible', 'tmp'),
        ANSIBLE_RETRY_FILES_ENABLED: 'false',
        ANSIBLE_NOCOLOR: '1',
        // An ansible.cfg in the caller's directory must not change what is checked.
        ANSIBLE_CONFIG: join(root, '.ansible', 'none.cfg'),
      };
      const inventory = files.find((f) => f.kind === 'ansible-inventory');
      const results: SyntaxCheckResult[] = [];
      for (const pb of playbooks) {
        const cwd = join(root, dirname(pb.path));
        const inv = inventory ? relative(cwd, join(root, inventory.path)) : 'localhost,';
        const r = await run(this.bin, ['--syntax-check', '-i', inv, relative(cwd, join(root, pb.path))], cwd, env, this.timeoutMs);
        const invalidInventory = /Unable to parse .* as an inventory source/.exec(r.output);
        if (r.timedOut) results.push({ status: 'failed', playbook: pb.path, problem: { file: pb.path, message: `ansible-playbook --syntax-check did not finish within ${this.timeoutMs / 1000} s` } });
        else if (r.code !== 0) results.push({ status: 'failed', playbook: pb.path, problem: parseSyntaxOutput(r.output, root, pb.path) });
        else if (invalidInventory && inventory) results.push({ status: 'failed', playbook: pb.path, problem: { file: inventory.path, message: `Ansible could not parse the inventory: ${invalidInventory[0]}` } });
        else results.push({ status: 'passed', playbook: pb.path });
      }
      return results;
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
}
