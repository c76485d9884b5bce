/**
 * Sizes as people write them ("4GB", "4 GiB", "512 megabytes", "100 Mega Bytes", "1.5 TB", "500m
 * of CPU", "2 cores") turned into Kubernetes quantities and plain numbers.
 *
 * Decimal units (GB, MB) are mapped to the binary Kubernetes suffixes (Gi, Mi): in requests people
 * mean "gigabytes of RAM/disk" and Kubernetes manifests conventionally use Gi/Mi, so "4GB" → "4Gi".
 */

export function unitSuffix(unit: string): string | null {
  const u = unit.trim();
  // A bare lower-case "m" is millicores, not megabytes: only the CPU parser accepts it.
  if (u === 'm') return null;
  const m = /^([kmgt])(?:i|ib|b|ilo ?bytes?|ega ?bytes?|iga ?bytes?|era ?bytes?|ibibytes?|ebibytes?|egs?|igs?)?$/.exec(u.toLowerCase());
  if (!m) return null;
  return { k: 'Ki', m: 'Mi', g: 'Gi', t: 'Ti' }[m[1] as 'k' | 'm' | 'g' | 't'];
}

const SUFFIX_MIB: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };

/** "4", "GB" → "4Gi"; "1.5", "GiB" → "1536Mi" (Kubernetes accepts 1.5Gi, but whole numbers read better). */
export function toQuantity(amount: string, unit: string): string | null {
  const suffix = unitSuffix(unit);
  if (!suffix) return null;
  const n = Number(amount);
  if (!Number.isFinite(n)) return null;
  if (Number.isInteger(n)) return `${n}${suffix}`;
  const smaller: Record<string, string> = { Gi: 'Mi', Ti: 'Gi', Mi: 'Ki' };
  const down = smaller[suffix];
  if (down && Number.isInteger(n * 1024)) return `${n * 1024}${down}`;
  return `${n}${suffix}`;
}

/** Kubernetes memory/storage quantity → MiB (null for anything it cannot read). */
export function quantityToMiB(q: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|)$/.exec(q.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const decimal: Record<string, number> = { k: 1000 / 1048576, M: 1e6 / 1048576, G: 1e9 / 1048576, T: 1e12 / 1048576, '': 1 / 1048576 };
  const f = SUFFIX_MIB[m[2]] ?? decimal[m[2]];
  return f === undefined ? null : n * f;
}

/** CPU quantity → millicores ("500m" → 500, "2" → 2000, "0.5" → 500). */
export function cpuToMillis(q: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(q.trim());
  if (!m) return null;
  return m[2] === 'm' ? Number(m[1]) : Number(m[1]) * 1000;
}

/** Cores as a number → CPU quantity ("0.5" → "500m", 2 → "2"). */
export function coresToQuantity(cores: number): string {
  return Number.isInteger(cores) ? String(cores) : `${Math.round(cores * 1000)}m`;
}

/** MiB → the shortest exact quantity ("4096" → "4Gi", "512" → "512Mi"). */
export function mibToQuantity(mib: number): string {
  if (mib >= 1024 && Number.isInteger(mib / 1024)) return `${mib / 1024}Gi`;
  if (Number.isInteger(mib)) return `${mib}Mi`;
  return `${Math.round(mib * 1024)}Ki`;
}
