import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { isMap, type Document } from 'yaml';
import { describeAction, type Action } from '../../../core/action.js';
import { UserError } from '../../../core/errors.js';
import type { Outcome } from '../../../core/proposal.js';
import type { Provider } from '../../provider.js';
import { commitMessage, type GitOpsCommitContext } from './commit-message.js';
import { GitOpsConfigSchema, RESTARTED_AT_ANNOTATION, type GitOpsConfig, type GitOpsConfigInput } from './config.js';
import { Git, GitError } from './git.js';
import { findWorkload, type ManifestRef } from './manifests.js';
import { editYamlDocument, parseStream, replaceNodeText } from './yaml-edit.js';

/** A change to make: new contents per file, and one line per change for the outcome and the commit message. */
interface PlannedChange {
  files: { file: string; text: string }[];
  changes: string[];
}

type Plan = PlannedChange | { unchanged: string };

/** A failure with a message fit for the Outcome (the working copy is restored before it is reported). */
class GitOpsFailure extends Error {}

export interface GitOpsProviderOptions {
  /** For the restartedAt annotation; tests fix it. */
  clock?: () => Date;
}

/** How far back rollback looks for the previous pod template. */
const ROLLBACK_HISTORY_LIMIT = 200;

/**
 * Carries out actions by committing to a Git working copy that Argo CD or Flux syncs, instead of touching a cluster:
 * scale edits `spec.replicas` (or the HPA's `minReplicas`, or a kustomize `replicas:` override, whichever owns the
 * count), restart-pod sets the restartedAt annotation on the pod template, rollback restores the pod template from
 * before the last change to it. One commit per action, authored by Autonomic with the rationale and trailers; pushed
 * if configured, rebasing once when the remote moved. A failure leaves the working copy as it was.
 */
export class GitOpsProvider implements Provider {
  readonly name = 'gitops';
  private readonly git: Git;
  private readonly clock: () => Date;
  /** Actions run one at a time: two commits built on the same HEAD would race. */
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(readonly config: GitOpsConfig, readonly root: string, options: GitOpsProviderOptions) {
    this.git = new Git(root);
    this.clock = options.clock ?? (() => new Date());
  }

  /** Validate the configuration and the working copy; a UserError names what is wrong. */
  static async open(input: GitOpsConfigInput, options: GitOpsProviderOptions = {}): Promise<GitOpsProvider> {
    const parsed = GitOpsConfigSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UserError(`${issue.path.join('.') || '(config)'}: ${issue.message}`, 'gitops config');
    }
    const config = parsed.data;
    const repo = resolve(config.repo);
    if (!existsSync(repo) || !statSync(repo).isDirectory()) throw new UserError('not a folder', `gitops repository ${repo}`);
    const git = new Git(repo);
    const bare = await git.run(['rev-parse', '--is-bare-repository']);
    if (bare.code !== 0) throw new UserError('not a Git working copy', `gitops repository ${repo}`);
    if (bare.stdout.trim() === 'true') throw new UserError('is a bare repository: give a clone (a working copy) of it', `gitops repository ${repo}`);
    const top = await git.must(['rev-parse', '--show-toplevel']);
    const root = resolve(top);
    if (isAbsolute(config.path) || relative(root, resolve(root, config.path)).startsWith('..')) {
      throw new UserError(`path ${config.path} must be a folder inside the repository`, 'gitops config');
    }
    if (!existsSync(join(root, config.path))) throw new UserError(`manifest folder ${config.path} does not exist`, `gitops repository ${root}`);
    return new GitOpsProvider(config, root, options);
  }

  apply(action: Action, context: GitOpsCommitContext = {}): Promise<Outcome> {
    const run = this.tail.then(() => this.applyNow(action, context));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async applyNow(action: Action, context: GitOpsCommitContext): Promise<Outcome> {
    const what = describeAction(action);
    let orig: string | undefined;
    try {
      const dirty = await this.git.must(['status', '--porcelain', '--untracked-files=no']);
      if (dirty) throw new GitOpsFailure(`the working copy has uncommitted changes (${dirty.split('\n').slice(0, 3).join(', ')}): commit or discard them first`);
      orig = await this.git.must(['rev-parse', 'HEAD']);
      // Edit what the remote holds now, not what this clone last saw: a stale clone would conflict forever.
      if (this.config.push) {
        await this.syncWithRemote();
        orig = await this.git.must(['rev-parse', 'HEAD']);
      }
      const plan = await this.plan(action);
      if ('unchanged' in plan) return { ok: true, message: `${what}: ${plan.unchanged}; nothing to commit` };
      if (plan.files.every((f) => f.text === this.read(f.file))) return { ok: true, message: `${what}: the manifests already say so; nothing to commit` };

      for (const f of plan.files) writeFileSync(join(this.root, f.file), f.text);
      await this.git.must(['add', '--', ...plan.files.map((f) => f.file)]);
      const decisionId = context.decisionId ?? randomUUID();
      const paragraphs = commitMessage(action, decisionId, plan.changes, context);
      // The repository's own hooks (schema checks, policy) run: a commit they refuse is a failed action.
      await this.git.must(['commit', '-q', '--cleanup=whitespace', ...paragraphs.flatMap((p) => ['-m', p])]);
      let pushed = '';
      if (this.config.push) pushed = await this.push();
      const sha = await this.git.must(['rev-parse', '--short', 'HEAD']);
      return { ok: true, message: `${what}: committed ${sha} (${plan.changes.join('; ')})${pushed}` };
    } catch (e) {
      const restored = orig ? await this.restore(orig) : '';
      return { ok: false, message: `${what} not done in Git: ${reason(e)}${restored}` };
    }
  }

  private async branch(): Promise<string> {
    if (this.config.branch) return this.config.branch;
    const r = await this.git.run(['symbolic-ref', '--short', 'HEAD']);
    if (r.code !== 0) throw new GitOpsFailure('the working copy is on a detached HEAD: configure the branch to push to');
    return r.stdout.trim();
  }

  /** Fast-forward to the remote branch; a clone with commits the remote lacks is someone else's work in progress. */
  private async syncWithRemote(): Promise<void> {
    const { remote } = this.config;
    const branch = await this.branch();
    const fetched = await this.git.run(['fetch', '-q', remote, branch]);
    if (fetched.code !== 0) throw new GitOpsFailure(`cannot fetch ${remote}/${branch}: ${(fetched.stderr || fetched.stdout).trim().split('\n')[0]}`);
    const ff = await this.git.run(['merge', '-q', '--ff-only', 'FETCH_HEAD']);
    if (ff.code !== 0) throw new GitOpsFailure(`the working copy has commits that ${remote}/${branch} does not (it diverged): push or drop them first`);
  }

  /** Push the branch; when the remote moved, rebase onto it and push once more. Returns words for the outcome. */
  private async push(): Promise<string> {
    const { remote } = this.config;
    const branch = await this.branch();
    const refspec = `HEAD:refs/heads/${branch}`;
    const first = await this.git.run(['push', '--porcelain', remote, refspec]);
    if (first.code === 0) return `, pushed to ${remote}/${branch}`;
    if (!/rejected|fetch first|non-fast-forward/i.test(first.stdout + first.stderr)) throw new GitError(['push', remote, refspec], first);
    const rebase = await this.git.run(['pull', '-q', '--rebase', '--no-autostash', remote, branch]);
    if (rebase.code !== 0) {
      throw new GitOpsFailure(`${remote}/${branch} moved and the change conflicts with it (${(rebase.stdout + rebase.stderr).trim().split('\n').find((l) => /CONFLICT|error/.test(l)) ?? 'rebase failed'})`);
    }
    const second = await this.git.run(['push', '--porcelain', remote, refspec]);
    if (second.code !== 0) throw new GitOpsFailure(`push to ${remote}/${branch} failed again after rebasing: ${(second.stderr || second.stdout).trim().split('\n')[0]}`);
    return `, rebased onto ${remote}/${branch} (it had moved) and pushed`;
  }

  /** Put the working copy back exactly at `orig`: abort a rebase in progress, drop the commit and the edits. */
  private async restore(orig: string): Promise<string> {
    try {
      const gitDir = await this.git.must(['rev-parse', '--absolute-git-dir']);
      if (existsSync(join(gitDir, 'rebase-merge')) || existsSync(join(gitDir, 'rebase-apply'))) await this.git.run(['rebase', '--abort']);
      await this.git.must(['reset', '-q', '--hard', orig]);
      return '; the working copy was restored';
    } catch (e) {
      return `; RESTORING THE WORKING COPY FAILED (${reason(e)}): check ${this.root} by hand`;
    }
  }

  private async plan(action: Action): Promise<Plan> {
    switch (action.kind) {
      case 'scale':
        return this.planScale(action.service, action.to);
      case 'restart-pod':
        return this.planRestart(action.service, action.pod);
      case 'rollback':
        return this.planRollback(action.service);
      default:
        throw new GitOpsFailure(`${action.kind} is not expressed in application manifests; the gitops provider carries out scale, restart-pod and rollback`);
    }
  }

  private read(file: string): string {
    return readFileSync(join(this.root, file), 'utf8');
  }

  private lookup(service: string): ReturnType<typeof findWorkload> {
    return findWorkload(this.root, this.config.path, service, this.config.namespace);
  }

  private planScale(service: string, to: number): Plan {
    const m = this.lookup(service);
    if (m.hpa) {
      // The HPA owns spec.replicas: writing it would be undone by the HPA within seconds. Its floor is what to move.
      const spec = (m.hpa.data.spec ?? {}) as Record<string, unknown>;
      const min = typeof spec.minReplicas === 'number' ? spec.minReplicas : 1;
      const max = typeof spec.maxReplicas === 'number' ? spec.maxReplicas : undefined;
      if (to < 1) throw new GitOpsFailure(`${service} is scaled by the HPA ${m.hpa.name} (${m.hpa.file}), whose minReplicas cannot be 0: remove or suspend the HPA in Git to scale to zero`);
      const target = max !== undefined && to > max ? max : to;
      const capped = target !== to ? ` (capped at the HPA's maxReplicas ${max}, a ceiling set by people)` : '';
      if (target === min) return { unchanged: `the HPA ${m.hpa.name} (${m.hpa.file}) owns ${service}'s replicas and its minReplicas is already ${min}${capped}` };
      return this.change(m.hpa, ['spec', 'minReplicas'], target,
        `${service}'s replicas are owned by the HPA ${m.hpa.name}: set its minReplicas ${min} → ${target} in ${m.hpa.file} instead of spec.replicas, so GitOps does not fight the autoscaler${capped}`);
    }
    if (m.kustomizeReplicas) {
      const k = m.kustomizeReplicas;
      if (k.count === to) return { unchanged: `${k.ref.file} already sets ${service}'s replicas to ${to}` };
      return this.change(k.ref, ['replicas', k.index, 'count'], to, `${k.ref.file}: kustomize replicas override for ${service} ${k.count ?? 'unset'} → ${to}`);
    }
    const spec = (m.workload.data.spec ?? {}) as Record<string, unknown>;
    const current = typeof spec.replicas === 'number' ? spec.replicas : undefined;
    if (current === to) return { unchanged: `${m.workload.file} already sets ${service} to ${to} replicas` };
    return this.change(m.workload, ['spec', 'replicas'], to, `${m.workload.file}: ${m.workload.kind} ${service} spec.replicas ${current ?? 'unset (1)'} → ${to}`);
  }

  private planRestart(service: string, pod: string | undefined): Plan {
    const m = this.lookup(service);
    const at = this.clock().toISOString();
    const which = pod ? ` (Git cannot name one pod, so every pod of ${service} is replaced, one by one, instead of ${pod})` : '';
    return this.change(m.workload, ['spec', 'template', 'metadata', 'annotations', RESTARTED_AT_ANNOTATION], at,
      `${m.workload.file}: ${m.workload.kind} ${service} pod template annotated ${RESTARTED_AT_ANNOTATION}=${at}: a rolling restart${which}`);
  }

  private change(ref: ManifestRef, path: (string | number)[], value: number | string, line: string): PlannedChange {
    const text = editYamlDocument(this.read(ref.file), ref.docIndex, [{ path, value }], ref.file);
    return { files: [{ file: ref.file, text }], changes: [line] };
  }

  /**
   * The pod template from before the latest commit that changed it (ignoring restarts, and skipping Autonomic's own
   * rollbacks, so a second rollback does not bring the bad version back).
   */
  private async planRollback(service: string): Promise<Plan> {
    const m = this.lookup(service);
    const w = m.workload;
    const current = stripRestart(templateOf(w.data));
    const log = await this.git.must(['log', `-n${ROLLBACK_HISTORY_LIMIT}`, '--format=%H', '--', w.file]);
    for (const sha of log.split('\n').filter(Boolean)) {
      const after = await this.docAt(sha, w);
      const before = await this.docAt(`${sha}^`, w);
      if (!after || !before) break;
      const tAfter = templateOf(after.doc.toJS() as Record<string, unknown>);
      const tBefore = templateOf(before.doc.toJS() as Record<string, unknown>);
      if (isDeepStrictEqual(stripRestart(tAfter), stripRestart(tBefore))) continue;
      const trailer = await this.git.must(['log', '-1', '--format=%(trailers:key=Autonomic-Action,valueonly)', sha]);
      if (/"kind":"rollback"/.test(trailer)) continue;
      const short = sha.slice(0, 7);
      if (isDeepStrictEqual(current, stripRestart(tBefore))) return { unchanged: `${w.file} already has the pod template from before ${short}` };
      const node = before.doc.getIn(['spec', 'template'], true);
      if (!isMap(node) || !node.range) break;
      const text = replaceNodeText(this.read(w.file), w.docIndex, ['spec', 'template'], { text: before.text.slice(node.range[0], node.range[1]), value: tBefore }, w.file);
      const subject = await this.git.must(['log', '-1', '--format=%s', sha]);
      return { files: [{ file: w.file, text }], changes: [`${w.file}: ${w.kind} ${service} pod template restored to its version before ${short} ("${subject}")`] };
    }
    throw new GitOpsFailure(`no earlier pod template of ${service} in the history of ${w.file} to roll back to`);
  }

  /** The workload's document as of a commit, or undefined when the file or the workload did not exist then. */
  private async docAt(rev: string, w: ManifestRef): Promise<{ doc: Document; text: string } | undefined> {
    const r = await this.git.run(['show', `${rev}:${w.file}`]);
    if (r.code !== 0) return undefined;
    let docs: Document[];
    try {
      docs = parseStream(r.stdout, w.file);
    } catch {
      return undefined;
    }
    const doc = docs.find((d) => {
      const data = d.toJS() as Record<string, unknown> | null;
      const meta = (data?.metadata ?? {}) as Record<string, unknown>;
      return data?.kind === w.kind && meta.name === w.name && meta.namespace === w.namespace;
    });
    return doc ? { doc, text: r.stdout } : undefined;
  }
}

function templateOf(data: Record<string, unknown>): unknown {
  return ((data.spec ?? {}) as Record<string, unknown>).template;
}

/** The template without the restart annotation: a restart is not a version. */
function stripRestart(template: unknown): unknown {
  const t = structuredClone(template) as { metadata?: { annotations?: Record<string, unknown> } } | undefined;
  const meta = t?.metadata;
  if (t && meta?.annotations) {
    delete meta.annotations[RESTARTED_AT_ANNOTATION];
    if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
    if (Object.keys(meta).length === 0) delete t.metadata;
  }
  return t;
}

/** Every failure here (lookup, YAML, git, I/O) is reported by its message: an Outcome, never a stack trace. */
function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
