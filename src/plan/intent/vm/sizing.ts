/**
 * VM sizing: what each role gets when the request states no size, and why. The request's
 * top-level cores / memoryMiB / diskGiB win for every VM it asks for.
 */
import type { Decision } from '../plan.js';
import type { IntentSpec } from '../spec.js';
import type { VmRole } from './vm-plan.js';

export interface VmSize {
  cores: number;
  memoryMiB: number;
  diskGiB: number;
}

interface SizeDefault extends VmSize {
  why: string;
}

/**
 * k3s servers run the API server, scheduler, controllers and embedded etcd: the k3s docs ask for at
 * least 2 cores and 2 GiB; 4 GiB leaves room for etcd and system pods. Agents get the same so any
 * worker can also take ordinary workloads. A plain VM gets a small general-purpose size.
 */
export const DEFAULT_VM_SIZES: Record<VmRole, SizeDefault> = {
  'control-plane': { cores: 2, memoryMiB: 4096, diskGiB: 32, why: 'k3s server (API server + embedded etcd): 2 cores, 4 GiB, 32 GiB disk for etcd and images' },
  worker: { cores: 2, memoryMiB: 4096, diskGiB: 32, why: 'k3s agent: 2 cores, 4 GiB and 32 GiB for container images and volumes' },
  vm: { cores: 2, memoryMiB: 2048, diskGiB: 20, why: 'small general-purpose VM: 2 cores, 2 GiB, 20 GiB disk' },
};

/** The size of one role and the decision that explains it. */
export function sizeForRole(role: VmRole, spec: Pick<IntentSpec, 'cores' | 'memoryMiB' | 'diskGiB'>): { size: VmSize; decision: Decision } {
  const d = DEFAULT_VM_SIZES[role];
  const size: VmSize = {
    cores: Math.ceil(spec.cores ?? d.cores),
    memoryMiB: Math.ceil(spec.memoryMiB ?? d.memoryMiB),
    diskGiB: Math.ceil(spec.diskGiB ?? d.diskGiB),
  };
  const stated = [spec.cores !== undefined && 'cores', spec.memoryMiB !== undefined && 'memory', spec.diskGiB !== undefined && 'disk'].filter((s): s is string => !!s);
  const rationale = stated.length === 3 ? 'as requested' : stated.length > 0 ? `${stated.join(', ')} as requested; the rest from the default for a ${d.why}` : `default for a ${d.why}`;
  return { size, decision: { topic: `size (${role})`, choice: `${size.cores} cores, ${size.memoryMiB} MiB, ${size.diskGiB} GiB`, rationale } };
}
