/**
 * Bounded, read-only access to the files of a checked-out repository: only regular files under the
 * root (symbolic links are never followed, so a link to /etc/passwd reads nothing), each at most
 * `maxFileBytes`, at most `maxFiles` in all. What is skipped becomes a warning naming the file.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** A listing stops here; reading is bounded separately by maxFiles (which then warns). */
const MAX_LISTED = 1000;

export interface RepoFileLimits {
  maxFileBytes: number;
  maxFiles: number;
}

export class RepoFiles {
  readonly warnings: string[] = [];
  private reads = 0;
  private limitReported = false;

  constructor(
    readonly root: string,
    private readonly limits: RepoFileLimits,
  ) {}

  /** The text of `rel` (a path relative to the root, "/"-separated), or undefined if absent or skipped. */
  async read(rel: string): Promise<string | undefined> {
    const abs = this.resolve(rel);
    if (!abs) return undefined;
    let st;
    try {
      st = await lstat(abs);
    } catch {
      return undefined;
    }
    if (st.isSymbolicLink()) {
      this.warnings.push(`${rel}: symbolic link, not followed`);
      return undefined;
    }
    if (!st.isFile()) return undefined;
    if (st.size > this.limits.maxFileBytes) {
      this.warnings.push(`${rel}: ${st.size} bytes, larger than the ${this.limits.maxFileBytes}-byte limit; skipped`);
      return undefined;
    }
    if (this.reads >= this.limits.maxFiles) {
      if (!this.limitReported) this.warnings.push(`file limit (${this.limits.maxFiles}) reached; ${rel} and later files not read`);
      this.limitReported = true;
      return undefined;
    }
    this.reads += 1;
    const buf = await readFile(abs);
    if (buf.includes(0)) {
      this.warnings.push(`${rel}: binary file, skipped`);
      return undefined;
    }
    return buf.toString('utf8');
  }

  /** Regular files under `dir` (relative), depth-first in name order, whose names match `pattern`. */
  async list(dir: string, pattern: RegExp, maxDepth = 4): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string, depth: number): Promise<void> => {
      const abs = this.resolve(rel);
      if (!abs || depth > maxDepth) return;
      let entries;
      try {
        entries = await readdir(abs, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        const child = rel === '' ? e.name : `${rel}/${e.name}`;
        if (e.isDirectory()) {
          if (e.name !== '.git' && e.name !== 'node_modules') await walk(child, depth + 1);
        } else if (e.isFile() && pattern.test(e.name)) out.push(child);
        if (out.length >= MAX_LISTED) return;
      }
    };
    await walk(dir, 0);
    return out;
  }

  /** Absolute path of `rel`, or undefined when it would leave the root. */
  private resolve(rel: string): string | undefined {
    const abs = join(this.root, ...rel.split('/').filter((p) => p !== ''));
    const back = relative(this.root, abs);
    if (back.startsWith('..') || back.split(sep).includes('..')) return undefined;
    return abs;
  }
}
