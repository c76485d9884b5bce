/**
 * Volumes and mounts: "with a 10Gi volume at /data", "mount a volume at /data from the PVC x",
 * "mount a host directory /var/log to the container at /var/log", "mount the Docker socket found
 * on the host at /var/run/docker.sock", "the ConfigMap mounted at /config using a volume named
 * config-volume", "an optional Secret mounted at /etc/foo (read only)", "a shared emptyDir".
 */
import type { StorageSpec } from '../spec.js';
import { accessModes } from './objects.js';
import { toQuantity } from './quantity.js';
import { sentences } from './text.js';

const PATH_RE = /(?:^|[\s"'`(])(\/[\w./@:+-]*[\w/])/g;
const SIZE = /(\d+(?:\.\d+)?)\s*(Ki|Mi|Gi|Ti|KiB|MiB|GiB|TiB|KB|MB|GB|TB|[Mm]ega ?[Bb]ytes?|[Gg]iga ?[Bb]ytes?)\b/;

/** A path as written, without the sentence's punctuation ("/data." → "/data"). */
function cleanPath(p: string): string {
  return p.length > 1 ? p.replace(/[.,:;]+$/, '') : p;
}

function paths(s: string): string[] {
  return [...s.matchAll(PATH_RE)].map((m) => cleanPath(m[1]));
}

function volumeName(s: string): string | undefined {
  return /\bvolume\s+(?:named|called|with (?:the )?name)\s+["'`]?([a-z0-9][a-z0-9-]*)["'`]?/i.exec(s)?.[1];
}

/** Where the container should see it: the path after "at/to/in … path", else the last path. */
function mountPathOf(s: string, exclude?: string): string | undefined {
  const m = /\b(?:at|to|in|on|under|into)\s+(?:the\s+)?(?:container(?:'s)?\s+)?(?:mount\s+)?(?:path|directory|dir|folder|location)?\s*["'`]?(\/[\w./@:+-]*[\w/]?)["'`]?(?:\s+(?:mount\s+)?path)?/gi;
  let last: string | undefined;
  for (const x of s.matchAll(m)) if (cleanPath(x[1]) !== exclude) last = cleanPath(x[1]);
  if (last) return last;
  const ps = paths(s).filter((p) => p !== exclude);
  return ps[ps.length - 1];
}

export interface VolumeContext {
  /** Names of ConfigMaps/Secrets/PVCs the request creates, so "the ConfigMap" can be resolved. */
  configMaps: string[];
  secrets: string[];
  claims: string[];
}

/** "Mount a volume at /x. The volume should have 1Gi…": one claim described over two sentences. */
function mergeClaims(list: StorageSpec[]): StorageSpec[] {
  const out: StorageSpec[] = [];
  for (const v of list) {
    const prev = out.find((p) => p.source === 'pvc' && v.source === 'pvc' && !p.ref && !v.ref && ((!p.size && !v.mountPath) || (!p.mountPath && !v.size)));
    if (prev) Object.assign(prev, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)), { mountPath: prev.mountPath ?? v.mountPath, size: prev.size ?? v.size });
    else out.push(v);
  }
  return out;
}

export function findVolumes(text: string, ctx: VolumeContext): StorageSpec[] {
  return mergeClaims(findVolumesRaw(text, ctx));
}

function findVolumesRaw(text: string, ctx: VolumeContext): StorageSpec[] {
  const out: StorageSpec[] = [];
  const seen = new Set<string>();
  const push = (v: StorageSpec): void => {
    const key = `${v.source}:${v.mountPath ?? ''}:${v.ref ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(v);
  };
  for (const s of sentences(text)) {
    const mounts = /\bmount(?:s|ed|ing)?\b|\bvolume\b|\bstorage\b|\bdisk\b/i.test(s);
    if (!mounts) continue;
    const readOnly = /\bread[- ]?only\b|\breadOnly\b/i.test(s) ? true : undefined;
    const name = volumeName(s);
    // Host paths: "host directory /x … at /y", "found on the host at /x".
    if (/\bhost\s*(?:path|directory|dir|folder|file|'s)?\b|\bhostPath\b|\bon the host\b|\bfrom the (?:node|host)\b/i.test(s) && paths(s).length > 0) {
      const hostPathRaw = /\bhost\s*(?:path|directory|dir|folder|file)?\s+(?:named\s+|called\s+|at\s+)?["'`]?(\/[\w./@:+-]*[\w/])/i.exec(s)?.[1]
        ?? /\bon the (?:host|node)\s+(?:at\s+)?["'`]?(\/[\w./@:+-]*[\w/])/i.exec(s)?.[1]
        ?? /["'`]?(\/[\w./@:+-]*[\w/])["'`]?\s+(?:on|from) the (?:host|node)/i.exec(s)?.[1]
        ?? paths(s)[0];
      const hostPath = hostPathRaw === undefined ? undefined : cleanPath(hostPathRaw);
      const inContainerRaw = /\b(?:container|pod)\b[^.]*?\b(?:at|in|to|under)\s+(?:the\s+)?(?:path\s+)?["'`]?(\/[\w./@:+-]*[\w/])/i.exec(s)?.[1];
      const inContainer = inContainerRaw === undefined ? undefined : cleanPath(inContainerRaw);
      const mountPath = inContainer ?? (paths(s).filter((p) => p !== hostPath).pop() ?? hostPath);
      push({ source: 'host-path', ref: hostPath, mountPath, name, readOnly });
      continue;
    }
    const claim = /\b(?:pvc|persistent ?volume ?claim|claim)\s+(?:named\s+|called\s+)?["'`]?([a-z0-9][a-z0-9-]*)["'`]?/i.exec(s);
    if (claim && /\bmount|\bvolume\b/i.test(s) && paths(s).length > 0 && !/^(?:named|called|with|that|which|and|to|for)$/i.test(claim[1])) {
      push({ source: 'pvc', ref: claim[1], mountPath: mountPathOf(s), name, readOnly });
      continue;
    }
    if (/\bconfig ?map\b/i.test(s) && paths(s).length > 0) {
      const ref = /\bconfig ?map\s+(?:named\s+|called\s+)?["'`]?([a-z0-9][a-z0-9.-]*[a-z0-9])["'`]?/i.exec(s)?.[1];
      const cm = ref && !/^(?:should|to|at|is|the|and|with|from|will)$/.test(ref) ? ref : ctx.configMaps[0];
      push({ source: 'config-map', ref: cm, mountPath: mountPathOf(s), name, readOnly });
      continue;
    }
    if (/\bsecret\b/i.test(s) && paths(s).length > 0) {
      const named = /\bsecret\s+(?:named\s+|called\s+)?["'`]?([a-z0-9][a-z0-9.-]*[a-z0-9])["'`]?/i.exec(s)?.[1];
      const ref = named && !/^(?:should|to|at|is|the|and|with|from|will|mounted|volume|for|as|in|on|that|which)$/.test(named) ? named : ctx.secrets[0];
      push({ source: 'secret', ref, mountPath: mountPathOf(s), name, readOnly, optional: /\boptional\b/i.test(text) ? true : undefined });
      continue;
    }
    if (/\bempty ?dir\b|\bscratch\b|\btemporary\b|\bshared volume\b|\bephemeral volume\b/i.test(s)) {
      push({ source: 'empty-dir', mountPath: mountPathOf(s), name, medium: /\bmemory\b|\btmpfs\b/i.test(s) ? 'Memory' : undefined });
      continue;
    }
    // The size written next to the volume words, not any size in the sentence ("4GB of RAM and a 10Gi volume").
    const near = new RegExp(`${SIZE.source}\\s+(?:of\\s+)?(?:persistent\\s+|local\\s+|data\\s+)?(?:volume|disk|storage|pvc|claim)|\\b(?:volume|disk|storage|pvc|claim)\\s+(?:of\\s+|with\\s+|sized?\\s+)?${SIZE.source}`, 'i').exec(s);
    const size = near ? [near[0], near[1] ?? near[3], near[2] ?? near[4]] : null;
    if (/\bnfs\b/i.test(s) && paths(s).length > 0) {
      const server = /\b(?:server|host)\s+(?:located\s+)?(?:at\s+)?["'`]?([\w.-]+\.[\w.-]+)["'`]?/i.exec(s)?.[1];
      push({ source: 'nfs', server, ref: paths(s)[0], mountPath: paths(s)[1], name });
      continue;
    }
    // A persistent volume for the app: "with a 10Gi volume at /data", "persistent storage of 5GB".
    if (size && /\b(?:volume|storage|disk|pvc)\b/i.test(s) && /\b(?:persistent|volume|pvc|mount|storage|disk)\b/i.test(s)) {
      const q = toQuantity(size[1], size[2]) ?? undefined;
      const mp = paths(s).length > 0 ? mountPathOf(s) : undefined;
      push({ source: 'pvc', size: q, mountPath: mp, name, readOnly, storageClass: storageClassIn(s), accessModes: accessModes(s) });
      continue;
    }
    // "mount a volume at /data" with nothing else: the source another sentence names ("uses an
    // optional Secret for mounting a volume"), a claim the request creates, else a plain claim.
    if (/\bmount/i.test(s) && paths(s).length > 0 && /\bvolume\b/i.test(s)) {
      const hint = sourceHint(text);
      if (hint === 'secret') push({ source: 'secret', ref: ctx.secrets[0], mountPath: mountPathOf(s), name, readOnly, optional: /\boptional\b/i.test(text) ? true : undefined });
      else if (hint === 'config-map') push({ source: 'config-map', ref: ctx.configMaps[0], mountPath: mountPathOf(s), name, readOnly });
      else if (hint === 'empty-dir') push({ source: 'empty-dir', mountPath: mountPathOf(s), name });
      else if (ctx.claims.length > 0) push({ source: 'pvc', ref: ctx.claims[0], mountPath: mountPathOf(s), name, readOnly });
      else if (ctx.configMaps.length > 0 && /config/i.test(s)) push({ source: 'config-map', ref: ctx.configMaps[0], mountPath: mountPathOf(s), name, readOnly });
      else push({ source: 'pvc', mountPath: mountPathOf(s), name, readOnly });
    }
  }
  return out;
}

/** "on storage class gold", "using the fast storage class". */
function storageClassIn(s: string): string | undefined {
  const m = /\bstorage ?class(?:Name)?\s*(?:named|called|of|:|=)?\s*["'`]?([a-z0-9][a-z0-9-]*)/i.exec(s) ?? /["'`]?([a-z0-9][a-z0-9-]*)["'`]?\s+storage ?class\b/i.exec(s);
  const v = m?.[1];
  return v && !/^(?:the|a|an|named|called|of|default|on|with|using|and)$/.test(v) ? v : undefined;
}

/** The volume source a request names in any sentence that talks about volumes or mounting. */
function sourceHint(text: string): StorageSpec['source'] | undefined {
  for (const s of sentences(text)) {
    if (!/\bvolume|\bmount/i.test(s)) continue;
    if (/\bsecret\b/i.test(s)) return 'secret';
    if (/\bconfig ?map\b/i.test(s)) return 'config-map';
    if (/\bempty ?dir\b|\bscratch\b/i.test(s)) return 'empty-dir';
  }
  return undefined;
}
