/**
 * The local documentation base (docs/iac-notes): short notes on resource fields and practices,
 * indexed with MiniSearch. Rules name their note, the fixer cites it, and prompts can search it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import MiniSearch from 'minisearch';

export interface Note {
  /** `k8s/<id>` */
  id: string;
  title: string;
  body: string;
  /** Path relative to the repository root, for citations. */
  path: string;
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const NOTES_DIR = join(repoRoot, 'docs', 'iac-notes');

let cache: { notes: Map<string, Note>; index: MiniSearch<Note> } | undefined;

function load(dir: string): Note[] {
  const out: Note[] = [];
  if (!existsSync(dir)) return out;
  for (const area of readdirSync(dir, { withFileTypes: true })) {
    if (!area.isDirectory()) continue;
    for (const f of readdirSync(join(dir, area.name))) {
      if (!f.endsWith('.md')) continue;
      const file = join(dir, area.name, f);
      const text = readFileSync(file, 'utf8');
      const title = /^#\s+(.+)$/m.exec(text)?.[1].trim() ?? f;
      out.push({ id: `${area.name}/${f.replace(/\.md$/, '')}`, title, body: text.replace(/^#.*$/m, '').trim(), path: relative(repoRoot, file) });
    }
  }
  return out;
}

function notes(): NonNullable<typeof cache> {
  if (!cache) {
    const list = load(NOTES_DIR);
    const index = new MiniSearch<Note>({ fields: ['title', 'body'], storeFields: ['id', 'title', 'path'], searchOptions: { boost: { title: 2 }, prefix: true, fuzzy: 0.2 } });
    index.addAll(list);
    cache = { notes: new Map(list.map((n) => [n.id, n])), index };
  }
  return cache;
}

export function noteById(id: string): Note | undefined {
  return notes().notes.get(id);
}

/** Notes most relevant to a query, best first. */
export function searchNotes(query: string, limit = 3): Note[] {
  const { index, notes: byId } = notes();
  return index
    .search(query)
    .slice(0, limit)
    .map((r) => byId.get(String(r.id)))
    .filter((n): n is Note => n !== undefined);
}

/** Citation for a rule's note: the file path, or the bare id when the docs folder is absent. */
export function cite(doc: string): string {
  return noteById(`k8s/${doc}`)?.path ?? `docs/iac-notes/k8s/${doc}.md`;
}
