/**
 * Facts from all files → one AppProfile. When files disagree, the one closer to how the app is
 * deployed wins: Kubernetes manifests, then Compose, then the Helm chart, then the Dockerfile, then
 * package.json — except for the name, where the project's own declaration (package.json, Chart.yaml)
 * comes first. Ports and env are merged in that order, the first mention of each winning.
 */
import { DNS_LABEL } from '../spec.js';
import type { Fact, FactOrigin } from './facts.js';
import { AppProfileSchema, type AppProfile, type FactSource, type ProfileEnv, type ProfilePort } from './profile.js';
import { redactEnv } from './secrets.js';

const DEPLOY_ORDER: readonly FactOrigin[] = ['k8s', 'compose', 'helm', 'dockerfile', 'package'];
const NAME_ORDER: readonly FactOrigin[] = ['package', 'helm', 'k8s', 'compose', 'dockerfile'];

type Of<K extends Fact['kind']> = Extract<Fact, { kind: K }>;

export function assembleProfile(facts: readonly Fact[], fallbackName: string, warnings: readonly string[]): AppProfile {
  const byOrder = <K extends Fact['kind']>(kind: K, order: readonly FactOrigin[]): Of<K>[] =>
    facts.filter((f): f is Of<K> => f.kind === kind).sort((a, b) => order.indexOf(a.origin) - order.indexOf(b.origin));
  const first = <K extends Fact['kind']>(kind: K, order = DEPLOY_ORDER): Of<K> | undefined => byOrder(kind, order)[0];

  const nameFact = first('name', NAME_ORDER);
  const base = first('base-image');
  // What runs: a deployment file's image, else the Dockerfile's runtime base, else package.json's Node image.
  const image = byOrder('image', DEPLOY_ORDER).find((f) => f.origin !== 'package') ?? base ?? first('image');
  const health = first('health');
  const user = first('user', ['k8s', 'dockerfile', 'compose']);
  const start = first('start', ['k8s', 'compose', 'dockerfile', 'package']);
  const version = first('version', ['helm', 'package']);

  const ports: ProfilePort[] = [];
  for (const p of byOrder('port', DEPLOY_ORDER)) if (!ports.some((q) => q.port === p.port && q.protocol === p.protocol)) ports.push({ port: p.port, protocol: p.protocol });

  const env: ProfileEnv[] = [];
  for (const e of byOrder('env', DEPLOY_ORDER)) {
    if (env.some((x) => x.name === e.name)) continue;
    const r = redactEnv(e.name, e.value);
    env.push(e.secret ? { name: e.name, secret: true } : r);
  }

  const dependencies = byOrder('dependency', DEPLOY_ORDER).map((d) => ({ name: d.name, ...(d.image ? { image: d.image } : {}) }));

  const sources: FactSource[] = facts.map((f) => ({ file: f.file, ...(f.line ? { line: f.line } : {}), fact: f.kind, value: describe(f) }));

  return AppProfileSchema.parse({
    name: toDnsLabel(nameFact?.value ?? fallbackName),
    image: image?.value,
    baseImage: base?.value,
    buildsImage: facts.some((f) => f.origin === 'dockerfile'),
    version: version?.value,
    ports,
    env,
    healthPath: health?.path,
    healthPort: health?.port,
    user: user?.value,
    startCommand: start?.value,
    dependencies,
    sources,
    warnings: [...warnings],
  });
}

function describe(f: Fact): string {
  switch (f.kind) {
    case 'port':
      return `${f.port}/${f.protocol}`;
    case 'env': {
      const r = redactEnv(f.name, f.value);
      if (f.secret || r.secret) return `${f.name}=(redacted)`;
      return f.value === undefined ? f.name : `${f.name}=${f.value}`;
    }
    case 'health':
      return f.port ? `${f.path} (port ${f.port})` : f.path;
    case 'dependency':
      return f.image ? `${f.name} (${f.image})` : f.name;
    default:
      return f.value;
  }
}

/** A DNS-1123 label from any name ("@acme/My_App" → "my-app"). */
export function toDnsLabel(name: string): string {
  const s = name
    .replace(/^@[^/]+\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return DNS_LABEL.test(s) ? s : 'app';
}
