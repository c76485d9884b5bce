import { execFile } from 'node:child_process';
import { AUTONOMIC_AUTHOR } from './config.js';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A git command that failed; `message` carries git's own first lines. */
export class GitError extends Error {
  constructor(readonly args: readonly string[], readonly result: GitResult) {
    super(`git ${args.join(' ')} failed (exit ${result.code}): ${firstLines(result.stderr || result.stdout)}`);
    this.name = 'GitError';
  }
}

function firstLines(s: string): string {
  return s.trim().split('\n').slice(0, 3).join(' / ') || 'no output';
}

/**
 * Plain `git` in one working copy. Author and committer are Autonomic whatever the machine's git config says, and
 * nothing ever waits for a terminal (no prompts, no editors).
 */
export class Git {
  private readonly env: NodeJS.ProcessEnv;

  constructor(readonly cwd: string) {
    this.env = {
      ...process.env,
      GIT_AUTHOR_NAME: AUTONOMIC_AUTHOR.name,
      GIT_AUTHOR_EMAIL: AUTONOMIC_AUTHOR.email,
      GIT_COMMITTER_NAME: AUTONOMIC_AUTHOR.name,
      GIT_COMMITTER_EMAIL: AUTONOMIC_AUTHOR.email,
      GIT_TERMINAL_PROMPT: '0',
      GIT_EDITOR: 'true',
      GIT_SEQUENCE_EDITOR: 'true',
      // Messages parsed below (rejected pushes) are English.
      LC_ALL: 'C',
    };
  }

  /** Run git; never throws for a non-zero exit (the caller decides), only when git cannot be started. */
  run(args: readonly string[]): Promise<GitResult> {
    return new Promise((resolve, reject) => {
      execFile('git', [...args], { cwd: this.cwd, env: this.env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(error.code === 'ENOENT' ? 'git is not installed (no `git` on PATH)' : `cannot run git: ${error.message}`));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      });
    });
  }

  /** Run git and return stdout (trimmed); a non-zero exit is a GitError. */
  async must(args: readonly string[]): Promise<string> {
    const r = await this.run(args);
    if (r.code !== 0) throw new GitError(args, r);
    return r.stdout.trim();
  }
}
