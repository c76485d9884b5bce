/**
 * Review / refine for file artefacts (Terraform, Ansible, cloud-init): every checker validates the
 * files it owns, a semantic check compares them with the intent, the checkers' fixers amend what
 * they may, and the loop repeats — at most `maxRounds` times — until nothing fixable is open.
 * Errors still open after that are escalated with the open findings, as on the Kubernetes path.
 */
import type { AppliedFix, ArtefactChecker, ArtefactFile } from './artefact.js';
import { blocking, type Finding } from './findings.js';
import type { ReviewRound } from './review.js';

export interface FileReviewOptions {
  checkers: readonly ArtefactChecker[];
  maxRounds: number;
  /** Intent ↔ artefact check (every stated field reflected); pure. */
  semantic?: (files: readonly ArtefactFile[]) => Finding[];
}

export interface FileReviewResult {
  files: ArtefactFile[];
  findings: Finding[];
  rounds: ReviewRound[];
  escalated: boolean;
  escalation?: { reason: string; open: Finding[] };
}

async function validate(files: readonly ArtefactFile[], opts: FileReviewOptions): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const c of opts.checkers) {
    const mine = files.filter((f) => c.kinds.includes(f.kind));
    if (mine.length > 0) out.push(...(await c.validate(mine)));
  }
  if (opts.semantic) out.push(...opts.semantic(files));
  return out;
}

export async function reviewFiles(initial: readonly ArtefactFile[], opts: FileReviewOptions): Promise<FileReviewResult> {
  let files = [...initial];
  const rounds: ReviewRound[] = [];
  let findings = await validate(files, opts);
  for (let round = 1; round <= opts.maxRounds; round++) {
    const todo = findings.filter(blocking);
    const applied: AppliedFix[] = [];
    if (todo.length > 0) {
      for (const c of opts.checkers) {
        const r = c.fix(files, todo);
        files = r.files;
        applied.push(...r.applied);
      }
    }
    rounds.push({ round, findings, fixes: applied });
    if (applied.length === 0) break;
    findings = await validate(files, opts);
  }
  const stuck = findings.filter((f) => blocking(f) && f.severity === 'error');
  const escalated = stuck.length > 0;
  return {
    files,
    findings,
    rounds,
    escalated,
    escalation: escalated ? { reason: `${stuck.length} error finding(s) remain after ${rounds.length} round(s)`, open: stuck } : undefined,
  };
}
