import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../core/errors.js';
import { located, parseLocatedYaml, readConfigFile } from '../../core/yaml-config.js';
import { PlaybookFileSchema, type Playbook } from './playbook.js';

/** A validated playbook and where it came from (journaled with every remediation it runs). */
export interface LoadedPlaybook extends Playbook {
  /** `file:line` of its `name`. */
  origin: string;
  builtin: boolean;
}

/**
 * Playbooks are loaded at start: the built-in ones shipped in policies/playbooks/, then the user's (`--playbooks
 * FILE|DIR`), which replace a built-in of the same name and add the rest. Everything is validated before the loop
 * runs; errors name file, line and field.
 */
export function loadPlaybooks(userPaths: readonly string[] = []): LoadedPlaybook[] {
  const byName = new Map<string, LoadedPlaybook>();
  for (const p of builtinPlaybooks()) byName.set(p.name, p);
  const own = new Map<string, LoadedPlaybook>();
  for (const p of userPaths.flatMap((path) => playbookFiles(path)).flatMap((f) => parsePlaybookFile(readConfigFile(f, 'playbook file'), f, false))) {
    const twice = own.get(p.name);
    if (twice) throw new UserError(`name: playbook "${p.name}" is also defined at ${twice.origin}`, p.origin);
    own.set(p.name, p);
    byName.set(p.name, p);
  }
  return orderPlaybooks([...byName.values()]);
}

let builtins: LoadedPlaybook[] | undefined;

/** The shipped playbooks (read once per process: they do not change while it runs). */
export function builtinPlaybooks(): LoadedPlaybook[] {
  if (!builtins) {
    const dir = builtinPlaybookDir();
    const root = dirname(dirname(dir));
    builtins = orderPlaybooks(playbookFiles(dir).flatMap((f) => parsePlaybookFile(readConfigFile(f, 'playbook file'), relative(root, f), true)));
  }
  return builtins;
}

/** Parse one playbook file's text; `fileName` is used in error locations and origins. */
export function parsePlaybookFile(text: string, fileName: string, builtin = false): LoadedPlaybook[] {
  const doc = parseLocatedYaml(text, fileName);
  const r = PlaybookFileSchema.safeParse(doc.data, { reportInput: true });
  if (!r.success) throw located(doc, r.error.issues);
  const seen = new Map<string, number>();
  return r.data.playbooks.map((p, i) => {
    const first = seen.get(p.name);
    if (first !== undefined) throw new UserError(`playbooks.${i}.name: playbook "${p.name}" is already defined at playbooks.${first}`, doc.where(['playbooks', i, 'name']));
    seen.set(p.name, i);
    const loc = doc.where(['playbooks', i, 'name']);
    return { ...p, origin: loc.slice(0, loc.lastIndexOf(':')), builtin };
  });
}

/** Priority first; equal priorities keep the order they were written in. */
function orderPlaybooks(ps: LoadedPlaybook[]): LoadedPlaybook[] {
  return ps.map((p, i) => ({ p, i })).sort((a, b) => a.p.priority - b.p.priority || a.i - b.i).map((x) => x.p);
}

/** A file, or every *.yaml / *.yml in a directory (sorted, not recursive). */
function playbookFiles(path: string): string[] {
  if (!existsSync(path)) throw new UserError('no such playbook file or directory', path);
  if (!statSync(path).isDirectory()) return [path];
  const files = readdirSync(path).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(path, f));
  if (files.length === 0) throw new UserError('no *.yaml playbook files in this directory', path);
  return files;
}

/** policies/playbooks of the repository, found from this module up (so it works from src/ and from a build). */
function builtinPlaybookDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'policies', 'playbooks');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('built-in playbooks not found (policies/playbooks)');
}
