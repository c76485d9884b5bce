/**
 * Review / refine for file artefacts (Terraform, Ansible, cloud-init): every checker validates the
 * files it owns, a semantic check compares them with the intent, the checkers' fixers amend what
 * they may, and the loop repeats — at most `maxRounds` times — until nothing fixable is open.
 * Errors still open after that are escalated with the open findings, as on the Kubernetes path.
 */
import type { AppliedFix, ArtefactChecker, ArtefactFile } from './artefact.js';
import { blocking, type Finding } from './findings.js';
import type { LlmFixer } from './llm-fixer.js';
import type { ReviewRound } from './review.js';

export interface FileReviewOptions {
  checkers: readonly ArtefactChecker[];
  maxRounds: number;
  /** Intent ↔ artefact check (every stated field reflected); pure. */
  semantic?: (files: readonly ArtefactFile[]) => Finding[];
  /** Tried when the rule-based fixers have nothing left and errors remain; kept only if it helps. */
  llm?: LlmFixer;
}

/** Blocking findings as `rule@object` keys, to tell whether a change closed some without opening others. */
const keys = (fs: readonly Finding[]): Set<string> => new Set(fs.filter(blocking).map((f) => `${f.ruleId}@${f.object}`));

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
    if (applied.length === 0 && opts.llm && todo.some((f) => f.severity === 'error')) {
      const proposal = await opts.llm(files, todo);
      if (proposal.applied.length > 0) {
        const after = await validate(proposal.files, opts);
        const before = keys(findings);
        const now = keys(after);
        const opened = [...now].filter((k) => !before.has(k));
        if (opened.length === 0 && now.size < before.size) {
          rounds.push({ round, findings, fixes: proposal.applied });
          files = proposal.files;
          findings = after;
          continue;
        }
        applied.push({ ruleId: 'LLM', object: '(bundle)', change: `proposal dropped: it ${opened.length > 0 ? `opened ${opened.join(', ')}` : 'closed no finding'}` });
      }
      rounds.push({ round, findings, fixes: applied });
      break;
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
