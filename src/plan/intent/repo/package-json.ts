/**
 * Facts from package.json: name, version, the start script, engines.node as a Node image tag, and
 * the port when it is obvious (PORT=3000 in the start script, or `process.env.PORT || 3000` /
 * `.listen(3000)` in the entry file, which is read as text).
 */
import { z } from 'zod';
import type { Fact, ReaderResult } from './facts.js';

const PackageJsonSchema = z.object({
  name: z.string().optional(),
  version: z.string().optional(),
  main: z.string().optional(),
  scripts: z.record(z.string(), z.string()).optional(),
  engines: z.object({ node: z.string().optional() }).optional(),
});
export type PackageJson = z.infer<typeof PackageJsonSchema>;

export const ENTRY_CANDIDATES = ['server.js', 'index.js', 'app.js', 'src/server.js', 'src/index.js', 'src/app.js', 'src/server.ts', 'src/index.ts', 'src/main.ts'];

export function parsePackageJson(text: string, file: string): { pkg?: PackageJson; warning?: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { warning: `${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  const r = PackageJsonSchema.safeParse(json);
  if (!r.success) return { warning: `${file}: ${r.error.issues[0].path.join('.') || '(root)'}: ${r.error.issues[0].message}` };
  return { pkg: r.data };
}

/** `entry`: the text of the entry file, when one was found. */
export function readPackageJson(pkg: PackageJson, file: string, entry?: { file: string; text: string }): ReaderResult {
  const at = { origin: 'package' as const, file };
  const facts: Fact[] = [];
  if (pkg.name) facts.push({ ...at, kind: 'name', value: pkg.name.replace(/^@[^/]+\//, '') });
  if (pkg.version) facts.push({ ...at, kind: 'version', value: pkg.version });
  const start = pkg.scripts?.start;
  if (start) facts.push({ ...at, kind: 'start', value: start.slice(0, 500) });
  const major = nodeMajor(pkg.engines?.node);
  if (major) facts.push({ ...at, kind: 'image', value: `node:${major}` });
  const port = portFromScript(start ?? '') ?? (entry ? portFromSource(entry.text) : undefined);
  if (port) facts.push({ ...(port.fromEntry && entry ? { origin: 'package' as const, file: entry.file } : at), kind: 'port', port: port.port, protocol: 'TCP' });
  return { facts, warnings: [] };
}

/** The lowest Node major a range allows: ">=18" → 18, "^20.1.0" → 20, "18.x || 20.x" → 18. */
function nodeMajor(range: string | undefined): number | undefined {
  if (!range) return undefined;
  const majors = [...range.matchAll(/(?:^|[\s|=<>^~v])(\d{1,2})(?=[.\sx*|]|$)/g)].map((m) => Number(m[1])).filter((n) => n >= 4);
  if (/^\s*<=?/.test(range) || majors.length === 0) return undefined;
  return Math.min(...majors);
}

function portFromScript(script: string): { port: number; fromEntry: false } | undefined {
  const m = /\bPORT=(\d{2,5})\b/.exec(script) ?? /(?:--port[= ]|\s-p\s)(\d{2,5})\b/.exec(script);
  const port = m ? Number(m[1]) : NaN;
  return port >= 1 && port <= 65535 ? { port, fromEntry: false } : undefined;
}

function portFromSource(text: string): { port: number; fromEntry: true } | undefined {
  const m = /process\.env\.PORT\s*(?:\|\||\?\?)\s*['"]?(\d{2,5})/.exec(text) ?? /\.listen\(\s*(\d{2,5})\s*[,)]/.exec(text);
  const port = m ? Number(m[1]) : NaN;
  return port >= 1 && port <= 65535 ? { port, fromEntry: true } : undefined;
}
