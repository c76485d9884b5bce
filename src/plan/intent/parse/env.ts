/**
 * Environment variables: "FOO=bar", "FOO: bar", "FOO with the value bar", "FOO set to \"bar\"",
 * "A and B set to \"x\" and \"y\" respectively". Upper-case names only count when they look like
 * variables (an underscore) or the sentence talks about the environment, so "CPU" or "YAML" never do.
 */
import type { EnvVar } from '../spec.js';
import { sentences } from './text.js';

const VAL = `(?:"([^"\\n]*)"|'([^'\\n]*)'|\`([^\`\\n]*)\`|([^\\s,;"'\`]+))`;
const ENV_CONTEXT = /\b(?:env(?:ironment)?(?:\s+var(?:iable)?s?)?|variables?|vars?)\b/i;
const NOT_VARS = new Set(['CPU', 'YAML', 'YML', 'HTTP', 'HTTPS', 'TCP', 'UDP', 'API', 'DNS', 'PVC', 'PV', 'SA', 'HPA', 'PDB', 'RAM', 'GB', 'MB', 'GIB', 'MIB', 'URL', 'JSON', 'NFS', 'IP', 'ID', 'OK', 'K8S', 'AWS', 'GCP', 'SC', 'TLS', 'SSL', 'UID', 'GID', 'NAME', 'VALUE', 'KEY', 'I', 'A']);

function value(m: RegExpExecArray, from: number): string {
  return (m[from] ?? m[from + 1] ?? m[from + 2] ?? m[from + 3] ?? '').replace(/[.]$/, '');
}

export function findEnv(text: string): EnvVar[] {
  const out = new Map<string, string>();
  const add = (name: string, v: string): void => {
    if (NOT_VARS.has(name)) return;
    if (!out.has(name)) out.set(name, v);
  };
  const fromRefs: EnvVar[] = [];
  for (const s of sentences(text)) {
    const context = ENV_CONTEXT.test(s);
    // "DB_PASSWORD taken from the secret db-secret key password"
    const ref = /\b([A-Z][A-Z0-9_]+)\s+(?:(?:is\s+)?(?:taken|read|sourced|loaded|coming|set)\s+)?from\s+(?:the\s+)?(secret|config ?map)\s+(?:named\s+)?["'`]?([a-z0-9][a-z0-9.-]*[a-z0-9])["'`]?\s*,?\s*(?:using\s+|with\s+)?(?:the\s+)?key\s+["'`]?([\w.-]*\w)/i.exec(s);
    if (ref) {
      fromRefs.push({ name: ref[1], from: { kind: /secret/i.test(ref[2]) ? 'secret' : 'config-map', name: ref[3], key: ref[4] } });
      continue;
    }
    // Downward API: "MY_NODE_NAME from the field spec.nodeName and MY_POD_IP from status.podIP"
    let fieldHit = false;
    for (const f of s.matchAll(/\b([A-Z][A-Z0-9_]+)\s+(?:(?:is\s+)?(?:taken|read|set)\s+)?from\s+(?:the\s+)?(?:field\s+(?:path\s+)?)?((?:metadata|spec|status)\.[\w.]+\w)/g)) {
      fromRefs.push({ name: f[1], from: { kind: 'field', name: '', key: f[2] } });
      fieldHit = true;
    }
    if (fieldHit) continue;
    const resp = new RegExp(`\\b([A-Z][A-Z0-9_]+)\\s+and\\s+([A-Z][A-Z0-9_]+)\\s+(?:should\\s+be\\s+|are\\s+|must\\s+be\\s+|to\\s+be\\s+)?(?:set\\s+)?(?:to\\s+)?${VAL}\\s+and\\s+${VAL}`).exec(s);
    if (resp && (context || /respectively/i.test(s))) {
      add(resp[1], value(resp, 3));
      add(resp[2], value(resp, 7));
      continue;
    }
    const pairs = new RegExp(`\\b([A-Za-z_][A-Za-z0-9_]*)\\s*(?:=|:)\\s*${VAL}`, 'g');
    let m: RegExpExecArray | null;
    while ((m = pairs.exec(s)) !== null) {
      const name = m[1];
      if (!/^[A-Z][A-Z0-9_]*$/.test(name)) continue;
      if (!(context || name.includes('_'))) continue;
      add(name, value(m, 2));
    }
    const phrased = new RegExp(`\\b([A-Z][A-Z0-9_]+)\\s+(?:with\\s+(?:the\\s+|a\\s+)?value(?:\\s+of)?|(?:is\\s+|should\\s+be\\s+)?set\\s+to|equal\\s+to|as|of|to|valued)\\s+${VAL}`, 'g');
    while ((m = phrased.exec(s)) !== null) {
      const name = m[1];
      if (!(context || name.includes('_'))) continue;
      add(name, value(m, 2));
    }
  }
  return [...[...out].map(([name, v]) => ({ name, value: v })), ...fromRefs];
}
