/**
 * Kubernetes resource quantities ("250m", "2", "110691045n", "801112Ki", "1.5Gi") as numbers, through the client
 * library's own parser so every suffix the API server emits is understood.
 */
import { quantityToScalar } from '@kubernetes/client-node/dist/util.js';

const MiB = 1024 * 1024;

function scalar(q: string | undefined): number {
  if (q === undefined || q === '') return 0;
  try {
    const v = quantityToScalar(q);
    return typeof v === 'bigint' ? Number(v) : v;
  } catch {
    return 0;
  }
}

/** CPU quantity → millicores. */
export function cpuMillis(q: string | undefined): number {
  return scalar(q) * 1000;
}

/** Memory quantity → MiB. */
export function memoryMiB(q: string | undefined): number {
  return scalar(q) / MiB;
}
