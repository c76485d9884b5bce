/**
 * An Ansible artefact file parsed once for every rule: the YAML document (kept for line numbers and
 * for comment-preserving fixes), its plain value, and its parse errors with their lines.
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { ArtefactFile } from '../artefact.js';
import type { YamlPath } from './tasks.js';

export interface YamlProblem {
  message: string;
  line?: number;
}

export interface ParsedAnsibleFile {
  file: ArtefactFile;
  doc: Document;
  value: unknown;
  errors: YamlProblem[];
  lines: LineCounter;
}

/** Inventories may be INI; only YAML ones (by extension) are parsed as YAML. */
export function isYamlFile(file: ArtefactFile): boolean {
  return /\.ya?ml$/i.test(file.path);
}

export function parseAnsibleFile(file: ArtefactFile): ParsedAnsibleFile {
  const lines = new LineCounter();
  // `!vault` values are Ansible's own tag: read them as the string they hold instead of warning.
  const doc = parseDocument(file.content, { lineCounter: lines, customTags: [{ tag: '!vault', resolve: (s: string) => s }], uniqueKeys: true });
  const errors: YamlProblem[] = doc.errors.map((e) => ({ message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''), line: e.linePos?.[0]?.line }));
  let value: unknown;
  if (errors.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      errors.push({ message: e instanceof Error ? e.message : String(e) });
    }
  }
  return { file, doc, value, errors, lines };
}

/** 1-based line of the node at `path`, or of the nearest ancestor that exists. */
export function lineOf(parsed: ParsedAnsibleFile, path: YamlPath): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = parsed.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && Array.isArray(node.range)) return parsed.lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** "/0/tasks/3" ⇄ [0, 'tasks', 3]: how a finding carries the location back to the fixer. */
export function pointer(path: YamlPath): string {
  return '/' + path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

export function fromPointer(p: string): YamlPath {
  return p
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
}
