/**
 * What changed between two artefact bundles, file by file, as unified diffs (jsdiff) with counts —
 * how "add one more worker to that cluster" shows it is a minimal change, not a rewrite.
 */
import { createTwoFilesPatch, diffLines } from 'diff';
import type { ArtefactFile } from './artefact.js';

export interface FileChange {
  path: string;
  change: 'added' | 'removed' | 'modified' | 'unchanged';
  addedLines: number;
  removedLines: number;
  /** Unified diff ('' when unchanged). */
  patch: string;
}

export interface BundleDiff {
  files: FileChange[];
  addedLines: number;
  removedLines: number;
  /** True when no existing line was removed or changed: the new bundle only adds. */
  additiveOnly: boolean;
}

function countLines(text: string): number {
  return text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

export function diffBundles(before: readonly ArtefactFile[], after: readonly ArtefactFile[]): BundleDiff {
  const old = new Map(before.map((f) => [f.path, f.content]));
  const next = new Map(after.map((f) => [f.path, f.content]));
  const paths = [...new Set([...old.keys(), ...next.keys()])].sort();
  const files: FileChange[] = paths.map((path) => {
    const a = old.get(path);
    const b = next.get(path);
    if (a === b) return { path, change: 'unchanged', addedLines: 0, removedLines: 0, patch: '' };
    let added = 0;
    let removed = 0;
    for (const part of diffLines(a ?? '', b ?? '')) {
      if (part.added) added += part.count ?? countLines(part.value);
      if (part.removed) removed += part.count ?? countLines(part.value);
    }
    return {
      path,
      change: a === undefined ? 'added' : b === undefined ? 'removed' : 'modified',
      addedLines: added,
      removedLines: removed,
      patch: createTwoFilesPatch(`a/${path}`, `b/${path}`, a ?? '', b ?? '', undefined, undefined, { context: 2 }),
    };
  });
  const addedLines = files.reduce((s, f) => s + f.addedLines, 0);
  const removedLines = files.reduce((s, f) => s + f.removedLines, 0);
  return { files, addedLines, removedLines, additiveOnly: removedLines === 0 };
}
