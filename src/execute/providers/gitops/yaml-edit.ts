import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, parseAllDocuments, type Document } from 'yaml';

/**
 * Edits to one document of a (multi-document) YAML file that leave every other byte alone, so the commit's diff is
 * the change and nothing else: a value that exists is replaced in place (its comment stays), a missing key is
 * inserted as new lines under its nearest block-mapping ancestor. Whatever the text splice produces is re-parsed
 * and compared with what yaml's Document API says the result must be; when they differ (flow mappings, odd
 * layouts) the Document API's own output is used, which keeps comments but may reformat the file.
 */

export type YamlPath = readonly (string | number)[];

export interface YamlEdit {
  path: YamlPath;
  value: number | string;
}

export class YamlEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'YamlEditError';
  }
}

export function parseStream(text: string, fileName: string): Document[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new YamlEditError(`${fileName}: not a YAML stream`);
  const bad = docs.find((d) => d.errors.length > 0);
  if (bad) throw new YamlEditError(`${fileName}: YAML error: ${bad.errors[0].message.split('\n')[0]}`);
  return docs;
}

/** `text` with `edits` applied to document `docIndex`. */
export function editYamlDocument(text: string, docIndex: number, edits: readonly YamlEdit[], fileName = 'manifest'): string {
  const expected = parseStream(text, fileName);
  if (!expected[docIndex]) throw new YamlEditError(`${fileName}: no document ${docIndex}`);
  for (const e of edits) expected[docIndex].setIn(e.path, e.value);
  const want = expected.map((d) => d.toJS() as unknown);

  let spliced: string | undefined = text;
  for (const e of edits) {
    spliced = spliceEdit(spliced, docIndex, e, fileName);
    if (spliced === undefined) break;
  }
  if (spliced !== undefined && sameData(spliced, want)) return spliced;
  // The Document API's rendering of the same change: comments kept, layout normalised.
  const rendered = expected.map((d) => d.toString()).join('');
  if (sameData(rendered, want)) return rendered;
  throw new YamlEditError(`${fileName}: could not apply ${edits.map((e) => e.path.join('.')).join(', ')} without changing anything else`);
}

/** Replace document `docIndex`'s value at `path` with the same-indented text of another node (a template from history). */
export function replaceNodeText(text: string, docIndex: number, path: YamlPath, replacement: { text: string; value: unknown }, fileName = 'manifest'): string {
  const docs = parseStream(text, fileName);
  const node = docs[docIndex]?.getIn(path, true);
  if (!isMap(node) || !node.range) throw new YamlEditError(`${fileName}: ${path.join('.')} is not a mapping`);
  const expected = parseStream(text, fileName);
  expected[docIndex].setIn(path, expected[docIndex].createNode(replacement.value));
  const want = expected.map((d) => d.toJS() as unknown);
  const spliced = text.slice(0, node.range[0]) + replacement.text + text.slice(node.range[1]);
  if (sameData(spliced, want)) return spliced;
  const rendered = expected.map((d) => d.toString()).join('');
  if (sameData(rendered, want)) return rendered;
  throw new YamlEditError(`${fileName}: could not replace ${path.join('.')}`);
}

function sameData(text: string, want: unknown[]): boolean {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return false;
  return isDeepStrictEqual(docs.map((d) => d.toJS() as unknown), want);
}

/** The text edit for one change, or undefined when the layout is not one this handles. */
function spliceEdit(text: string, docIndex: number, edit: YamlEdit, fileName: string): string | undefined {
  const doc = parseStream(text, fileName)[docIndex];
  const node = doc.getIn(edit.path, true);
  if (isScalar(node) && node.range) return text.slice(0, node.range[0]) + scalarText(edit.value) + text.slice(node.range[1]);
  if (node !== undefined && node !== null) throw new YamlEditError(`${fileName}: ${edit.path.join('.')} holds a collection, not a value`);

  // Missing: find the deepest block mapping that exists on the path and add the rest under it.
  let depth = edit.path.length - 1;
  let parent: unknown = depth === 0 ? doc.contents : doc.getIn(edit.path.slice(0, depth), true);
  while (depth > 0 && (parent === undefined || parent === null)) {
    depth--;
    parent = depth === 0 ? doc.contents : doc.getIn(edit.path.slice(0, depth), true);
  }
  if (!isMap(parent) || parent.flow || parent.items.length === 0 || edit.path.slice(depth).some((k) => typeof k !== 'string')) return undefined;
  const firstKey = parent.items[0].key;
  const lastItem = parent.items[parent.items.length - 1];
  const lastNode = (lastItem.value ?? lastItem.key) as { range?: [number, number, number] } | null;
  if (!isScalar(firstKey) || !firstKey.range || !lastNode?.range) return undefined;
  const lineStart = text.lastIndexOf('\n', firstKey.range[0] - 1) + 1;
  const indent = firstKey.range[0] - lineStart;

  const end = lastNode.range[1];
  let at: number;
  let prefix = '';
  if (end > 0 && text[end - 1] === '\n') at = end;
  else {
    const nl = text.indexOf('\n', end);
    if (nl < 0) {
      at = text.length;
      prefix = '\n';
    } else at = nl + 1;
  }
  const keys = edit.path.slice(depth) as string[];
  const lines = keys.map((k, j) => `${' '.repeat(indent + 2 * j)}${keyText(k)}:${j === keys.length - 1 ? ` ${scalarText(edit.value)}` : ''}`);
  return `${text.slice(0, at)}${prefix}${lines.join('\n')}\n${text.slice(at)}`;
}

function scalarText(v: number | string): string {
  // Strings double-quoted: an RFC 3339 time unquoted is a timestamp to YAML 1.1 readers (Kubernetes wants a string).
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

function keyText(k: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(k) ? k : JSON.stringify(k);
}
