/**
 * Sizing: explicit Kubernetes requests/limits ("a memory limit of 200Mi", "request 100m of CPU and
 * 200Mi of memory", "CPU request is set to 100m") and plain sizing ("2 cores", "4GB of RAM",
 * "4 GiB memory", "a 20 GB disk"), which the planner turns into requests and limits.
 */
import type { ResourceSpec } from '../spec.js';
import { parseNumber } from './numbers.js';
import { toQuantity } from './quantity.js';

const CPU_Q = '(\\d+(?:\\.\\d+)?\\s*m\\b|\\d+(?:\\.\\d+)?(?:\\s*(?:cores?|cpus?|vcpus?))?)';
const MEM_Q = '(\\d+(?:\\.\\d+)?\\s*(?:Ki|Mi|Gi|Ti|KiB|MiB|GiB|TiB|KB|MB|GB|TB|K|M|G|T|[Mm]ega ?[Bb]ytes?|[Gg]iga ?[Bb]ytes?|[Kk]ilo ?[Bb]ytes?)\\b)';

function cpuQuantity(raw: string): string {
  const t = raw.trim();
  const milli = /^(\d+(?:\.\d+)?)\s*m$/.exec(t);
  if (milli) return `${milli[1]}m`;
  const n = Number(/^(\d+(?:\.\d+)?)/.exec(t)?.[1] ?? 'NaN');
  return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
}

function memQuantity(raw: string): string | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(.+)$/.exec(raw.trim());
  if (!m) return undefined;
  // Already a Kubernetes suffix (Mi, Gi…): keep exactly what was written.
  if (/^(?:Ki|Mi|Gi|Ti)$/.test(m[2])) return `${m[1]}${m[2]}`;
  return toQuantity(m[1], m[2]) ?? undefined;
}

type Field = keyof ResourceSpec;

function field(resource: string, kind: string): Field | undefined {
  const r = resource.toLowerCase();
  const k = kind.toLowerCase().startsWith('limit') ? 'Limit' : 'Request';
  if (r.startsWith('cpu')) return `cpu${k}` as Field;
  if (r.startsWith('mem')) return `memory${k}` as Field;
  if (r.startsWith('ephemeral')) return `ephemeral${k}` as Field;
  return undefined;
}

function quantityFor(f: Field, raw: string): string | undefined {
  return f.startsWith('cpu') ? cpuQuantity(raw) : memQuantity(raw);
}

/** Explicit requests/limits, or undefined when the text names none. */
export function findResources(text: string): ResourceSpec | undefined {
  const out: ResourceSpec = {};
  const set = (f: Field | undefined, raw: string | undefined): void => {
    if (!f || raw === undefined || out[f] !== undefined) return;
    const q = quantityFor(f, raw);
    if (q) out[f] = q;
  };
  const KIND = '(requests?|limits?)';
  const LINK = '(?:\\s+(?:of|to|is|at|should be|must be|set to|is set to|be set to|=|:|as|equal to))*\\s*:?\\s*';
  // "memory limit of 200Mi", "CPU request is set to 100m"
  for (const [res, q] of [['(cpu)', CPU_Q], ['(memory|mem)', MEM_Q], ['(ephemeral[- ]storage)', MEM_Q]] as const) {
    for (const m of text.matchAll(new RegExp(`\\b${res}\\s+${KIND}${LINK}${q}`, 'gi'))) set(field(m[1], m[2]), m[3]);
  }
  // "memory limit and request are 200Mi": both.
  for (const [res, q] of [['(cpu)', CPU_Q], ['(memory|mem)', MEM_Q]] as const) {
    for (const m of text.matchAll(new RegExp(`\\b${res}\\s+(?:limits?\\s+and\\s+requests?|requests?\\s+and\\s+limits?)\\s*(?:are|is|of|=|:|set to|both)?\\s*(?:both\\s+)?${q}`, 'gi'))) {
      set(field(m[1], 'limit'), m[2]);
      set(field(m[1], 'request'), m[2]);
    }
  }
  // "request 100m of CPU and 200Mi of memory", "limits of 1 CPU"
  for (const m of text.matchAll(new RegExp(`\\b${KIND}\\s+(?:of\\s+)?((?:(?:\\d+(?:\\.\\d+)?\\s*[A-Za-z]*)\\s+(?:of\\s+)?(?:cpu|memory|mem)(?:\\s*(?:,|and)\\s*)?)+)`, 'gi'))) {
    for (const part of m[2].matchAll(/(\d+(?:\.\d+)?\s*[A-Za-z]*)\s+(?:of\s+)?(cpu|memory|mem)/gi)) set(field(part[2], m[1]), part[1]);
  }
  // "limit the memory to 200Mi", "limit CPU to 500m"
  for (const [res, q] of [['(cpu)', CPU_Q], ['(memory|mem)', MEM_Q]] as const) {
    for (const m of text.matchAll(new RegExp(`\\b(request|limit)\\s+(?:the\\s+)?${res}\\s+(?:usage\\s+)?(?:to|at)\\s+${q}`, 'gi'))) set(field(m[2], m[1]), m[3]);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export interface Sizing {
  cores?: number;
  memoryMiB?: number;
  diskGiB?: number;
}

const NUMBER = '(-?\\d[\\d,]*(?:\\.\\d+)?|[a-z]+(?:[- ][a-z]+)?)';

/** Plain sizing for a VM or an app: "2 cores", "4GB of RAM", "4 GiB", "a 20 GB disk". */
export function findSizing(text: string): Sizing {
  const out: Sizing = {};
  const cores = new RegExp(`\\b${NUMBER}\\s*(?:v?cpus?|cores?|vcores?|processors?)\\b`, 'i').exec(text);
  if (cores) {
    const n = parseNumber(cores[1]);
    if (n !== null) out.cores = n;
  }
  const mem = [...text.matchAll(new RegExp(`(-?\\d[\\d,]*(?:\\.\\d+)?)\\s*(GiB|GB|G|MiB|MB|M|TiB|TB|Gi|Mi|Ti|[Gg]iga ?[Bb]ytes?|[Mm]ega ?[Bb]ytes?|gigs?)\\b(\\s+(?:of\\s+)?(?:ram|memory|mem)\\b|\\s+(?:of\\s+)?(?:disk|storage|ssd|hdd|root disk|volume)\\b)?`, 'gi'))];
  for (const m of mem) {
    // "500m cpu" is millicores; "128Mi memory" right after "requests of" is a request, not sizing.
    if (m[2] === 'm' || m[2] === 'M' && /^\s*(?:of\s+)?cpu/i.test(text.slice((m.index ?? 0) + m[0].length))) continue;
    const amount = Number(m[1].replace(/,/g, ''));
    const unit = m[2].toLowerCase();
    const mib = unit.startsWith('t') ? amount * 1024 * 1024 : unit.startsWith('g') ? amount * 1024 : amount;
    const before = text.slice(Math.max(0, (m.index ?? 0) - 30), m.index ?? 0);
    const isDisk = /disk|storage|ssd|hdd|volume/i.test(m[3] ?? '') || /\b(?:disk|storage|volume|pvc|claim)\b[^.]*$/i.test(before);
    const isMem = /ram|mem/i.test(m[3] ?? '') || /\b(?:ram|memory)\b[^.]{0,15}$/i.test(before);
    // Explicit request/limit phrases are handled by findResources; here only sizing words count.
    if (/\b(?:request|limit)s?\b[^.]{0,40}$/i.test(before)) continue;
    // A bare size counts as memory only next to a core count ("2 cores and 4GB"), never on its own.
    const nextToCores = cores !== null && Math.abs((m.index ?? 0) - cores.index) < 30;
    if (isDisk && out.diskGiB === undefined) out.diskGiB = mib / 1024;
    else if ((isMem || (nextToCores && !isDisk)) && out.memoryMiB === undefined) out.memoryMiB = mib;
  }
  return out;
}
