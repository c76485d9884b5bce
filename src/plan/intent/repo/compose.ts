/**
 * Facts from a Compose file: the app's service (the one built from this repository, else the first)
 * gives image, ports, environment, healthcheck and user; the other services are dependencies.
 * env_file is not read: those files usually hold the secrets.
 */
import { parse } from 'yaml';
import { z } from 'zod';
import { healthUrlFromCommand } from './health-url.js';
import { isImageReference } from './image-ref.js';
import type { Fact, ReaderResult } from './facts.js';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const PortEntrySchema = z.union([
  z.string(),
  z.number(),
  z.object({ target: z.union([z.number(), z.string()]), published: z.union([z.number(), z.string()]).optional(), protocol: z.string().optional() }),
]);
const ServiceSchema = z.object({
  image: z.string().optional(),
  build: z.unknown().optional(),
  ports: z.array(PortEntrySchema).optional(),
  expose: z.array(z.union([z.string(), z.number()])).optional(),
  environment: z.union([z.record(z.string(), scalar), z.array(z.string())]).optional(),
  healthcheck: z.object({ test: z.union([z.string(), z.array(z.string())]).optional(), disable: z.boolean().optional() }).optional(),
  user: z.union([z.string(), z.number()]).optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
});
const ComposeSchema = z.object({ services: z.record(z.string(), z.union([ServiceSchema, z.null()])) });

export function readCompose(text: string, file: string): ReaderResult {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 50 });
  } catch (e) {
    return { facts: [], warnings: [`${file}: not valid YAML (${firstLine(e)})`] };
  }
  const parsed = ComposeSchema.safeParse(doc);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return { facts: [], warnings: [`${file}: ${i.path.join('.') || '(root)'}: ${i.message}`] };
  }
  const services = Object.entries(parsed.data.services).map(([name, s]) => ({ name, s: s ?? {} }));
  if (services.length === 0) return { facts: [], warnings: [`${file}: no services`] };
  const app = services.find((x) => x.s.build !== undefined) ?? services[0];
  const at = { origin: 'compose' as const, file };
  const facts: Fact[] = [{ ...at, kind: 'name', value: app.name }];
  const warnings: string[] = [];
  const s = app.s;
  if (s.image) {
    if (isImageReference(s.image)) facts.push({ ...at, kind: 'image', value: s.image });
    else warnings.push(`${file}: services.${app.name}.image is not a valid image reference; ignored`);
  }
  for (const p of [...(s.ports ?? []), ...(s.expose ?? [])]) {
    const port = containerPort(p);
    if (port) facts.push({ ...at, kind: 'port', ...port });
    else warnings.push(`${file}: services.${app.name}.ports: an entry is not a port; ignored`);
  }
  const env = s.environment;
  if (Array.isArray(env)) {
    for (const e of env) {
      const eq = e.indexOf('=');
      facts.push({ ...at, kind: 'env', name: eq < 0 ? e : e.slice(0, eq), value: eq < 0 ? undefined : e.slice(eq + 1) });
    }
  } else if (env) {
    for (const [k, v] of Object.entries(env)) facts.push({ ...at, kind: 'env', name: k, value: v === null ? undefined : String(v) });
  }
  if (s.healthcheck?.test && !s.healthcheck.disable) {
    const t = s.healthcheck.test;
    const cmd = Array.isArray(t) ? t.filter((x, i) => !(i === 0 && /^CMD(-SHELL)?$|^NONE$/.test(x))).join(' ') : t;
    const url = healthUrlFromCommand(cmd);
    if (url) facts.push({ ...at, kind: 'health', ...url });
  }
  if (s.user !== undefined) facts.push({ ...at, kind: 'user', value: String(s.user) });
  if (s.command !== undefined) facts.push({ ...at, kind: 'start', value: (Array.isArray(s.command) ? s.command.join(' ') : s.command).slice(0, 500) });
  for (const d of services) {
    if (d === app) continue;
    facts.push({ ...at, kind: 'dependency', name: d.name, image: d.s.image && isImageReference(d.s.image) ? d.s.image : undefined });
  }
  return { facts, warnings };
}

/** The container side of a Compose port: "8080:80", "127.0.0.1:8080:80/udp", "3000", {target: 80}. */
function containerPort(p: z.infer<typeof PortEntrySchema>): { port: number; protocol: 'TCP' | 'UDP' } | undefined {
  let spec: string;
  let proto = 'tcp';
  if (typeof p === 'object') {
    spec = String(p.target);
    proto = p.protocol ?? 'tcp';
  } else {
    const [body, pr] = String(p).split('/');
    spec = body.split(':').at(-1) ?? '';
    proto = pr ?? 'tcp';
  }
  const first = spec.split('-')[0];
  if (!/^\d{1,5}$/.test(first)) return undefined;
  const port = Number(first);
  if (port < 1 || port > 65535) return undefined;
  return { port, protocol: proto.toLowerCase() === 'udp' ? 'UDP' : 'TCP' };
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
