/**
 * Manifests quoted in a request ("Given this YAML: ```...```"). People paste several manifests
 * into one block without `---` between them, so a block is split wherever a second top-level
 * `apiVersion:`/`kind:` starts. Each piece is read with the YAML 1.1 loader the benchmark uses.
 */
import { pyToJs } from '../eval/pyvalue.js';
import { safeLoadAll } from '../eval/yaml11.js';

export interface QuotedText {
  /** The request with code blocks replaced by a placeholder, for phrase matching. */
  prose: string;
  blocks: string[];
}

const FENCE = /```[ \t]*([A-Za-z0-9_-]*)[ \t]*\r?\n([\s\S]*?)```/g;

export function splitCodeBlocks(text: string): QuotedText {
  const blocks: string[] = [];
  const prose = text.replace(FENCE, (_all, _lang: string, body: string) => {
    blocks.push(body);
    return ' [code] ';
  });
  // An unterminated fence: everything after it is code.
  const open = prose.indexOf('```');
  if (open >= 0) {
    blocks.push(prose.slice(open + 3).replace(/^[A-Za-z0-9_-]*\r?\n/, ''));
    return { prose: prose.slice(0, open), blocks };
  }
  return { prose, blocks };
}

/** Splits "doc1 apiVersion… doc2 apiVersion…" pasted without separators. */
function splitConcatenated(block: string): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  let seen = new Set<string>();
  for (const line of block.split(/\r?\n/)) {
    if (/^---\s*$/.test(line)) {
      out.push(cur.join('\n'));
      cur = [];
      seen = new Set();
      continue;
    }
    const top = /^(apiVersion|kind):/.exec(line);
    if (top && seen.has(top[1])) {
      out.push(cur.join('\n'));
      cur = [];
      seen = new Set();
    }
    if (top) seen.add(top[1]);
    cur.push(line);
  }
  out.push(cur.join('\n'));
  return out.filter((d) => d.trim() !== '');
}

export type Manifest = Record<string, unknown>;

function isManifest(v: unknown): v is Manifest {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Manifest).kind === 'string';
}

/** Kubernetes manifests found in the code blocks; blocks that are not YAML manifests are skipped. */
export function quotedManifests(blocks: readonly string[]): Manifest[] {
  const out: Manifest[] = [];
  for (const block of blocks) {
    for (const piece of splitConcatenated(block)) {
      try {
        for (const doc of safeLoadAll(piece)) {
          const js = pyToJs(doc);
          if (isManifest(js)) out.push(js);
        }
      } catch {
        // Not YAML (a shell transcript, an error message): nothing to overlay.
      }
    }
  }
  return out;
}
