/**
 * Secure defaults for pods and containers, the Kubernetes "restricted" Pod Security Standard plus
 * a service-account token that is not mounted. Used by the builder (hardened profile) and by the
 * rule fixers, so a generated manifest and a fixed one end up the same.
 */
import { arr, containersOf, ensure, ensureList, isObject, obj, str, type JsonObject } from './manifest.js';

/** UID/GID ≥ 10000: outside the host's system users (Checkov CKV_K8S_40). */
export const NON_ROOT_ID = 10001;

export function hardenContainerSecurity(c: JsonObject, keepPrivileges = false): void {
  const sc = ensure(c, 'securityContext');
  sc.allowPrivilegeEscalation = false;
  if (sc.privileged === true && !keepPrivileges) delete sc.privileged;
  sc.readOnlyRootFilesystem = true;
  sc.runAsNonRoot = true;
  const caps = ensure(sc, 'capabilities');
  caps.drop = ['ALL'];
  // Requested capabilities stay only if they are explicitly kept (see clarify's privilege question).
}

export function dropAddedCapabilities(c: JsonObject): void {
  const caps = obj(obj(c.securityContext)?.capabilities);
  if (caps) delete caps.add;
}

export function hardenPodSecurity(pod: JsonObject, keepPrivileges = false): void {
  const sc = ensure(pod, 'securityContext');
  sc.runAsNonRoot = true;
  sc.runAsUser = NON_ROOT_ID;
  sc.runAsGroup = NON_ROOT_ID;
  sc.fsGroup = NON_ROOT_ID;
  sc.seccompProfile = { type: 'RuntimeDefault' };
  pod.automountServiceAccountToken = false;
  if (!keepPrivileges) for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[key] === true) delete pod[key];
}

/** A read-only root filesystem still needs somewhere to write temporary files. */
export function addTmpVolume(pod: JsonObject): void {
  const volumes = ensureList(pod, 'volumes');
  if (!volumes.some((v) => isObject(v) && v.name === 'tmp')) volumes.push({ name: 'tmp', emptyDir: {} });
  for (const c of containersOf(pod)) {
    const mounts = ensureList(c, 'volumeMounts');
    if (!mounts.some((m) => isObject(m) && (m.mountPath === '/tmp' || m.name === 'tmp'))) mounts.push({ name: 'tmp', mountPath: '/tmp' });
  }
}

/** `keepPrivileges`: the user confirmed the elevated access they asked for (capabilities, host namespaces). */
export function hardenPod(pod: JsonObject, keepPrivileges: boolean): void {
  hardenPodSecurity(pod, keepPrivileges);
  for (const c of containersOf(pod)) {
    hardenContainerSecurity(c, keepPrivileges);
    if (!keepPrivileges) dropAddedCapabilities(c);
  }
  addTmpVolume(pod);
}

/** Images without a tag or with `latest` are not reproducible; pin what we can say nothing better about. */
export function imageTag(image: string): string | undefined {
  const noDigest = image.split('@');
  if (noDigest.length > 1) return noDigest[1];
  const last = image.split('/').pop() ?? image;
  const i = last.indexOf(':');
  return i >= 0 ? last.slice(i + 1) : undefined;
}

export function hostPaths(pod: JsonObject): string[] {
  return arr(pod.volumes)
    .filter(isObject)
    .map((v) => str(obj(v.hostPath)?.path))
    .filter((p): p is string => p !== undefined);
}
