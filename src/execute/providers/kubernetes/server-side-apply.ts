/**
 * Server-side apply of intent artefacts under the field manager "autonomic", optionally as a server dry run
 * (dryRun=All: admission, defaulting, validation and merge conflicts all run; nothing is stored). Manifests are
 * applied in order and the first failure stops the rest, so the result says exactly what was and was not applied.
 */
import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { z } from 'zod';
import type { ClusterAccess } from './cluster-access.js';
import { apiCall, KubernetesApiError, type ObjectRef } from './api-error.js';
import { FIELD_MANAGER } from './patch-options.js';

const ManifestSchema = z.object({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.object({ name: z.string().min(1), namespace: z.string().optional() }).loose(),
}).loose();

export interface ApplyOptions {
  dryRun?: boolean;
  /** Take over fields another manager owns (server-side apply conflicts); off by default. */
  force?: boolean;
  timeoutMs?: number;
}

export interface AppliedObject {
  object: string;
  resourceVersion?: string;
}

export interface ApplyResult {
  dryRun: boolean;
  applied: AppliedObject[];
  /** The manifest that failed (by index and name) and why; the ones after it were not sent. */
  failed?: { index: number; object: string; status: number; message: string };
  notSent: string[];
}

const label = (m: { kind: string; metadata: { name: string; namespace?: string } }): string =>
  `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;

/** Names of the manifests after index `i`, which were not sent. */
function rest(manifests: readonly unknown[], i: number): string[] {
  return manifests.slice(i + 1).map((x, j) => {
    const p = ManifestSchema.safeParse(x);
    return p.success ? label(p.data) : `manifest #${i + j + 2}`;
  });
}

export async function applyManifests(api: ClusterAccess, manifests: readonly unknown[], o: ApplyOptions = {}): Promise<ApplyResult> {
  const dryRun = o.dryRun ?? false;
  const result: ApplyResult = { dryRun, applied: [], notSent: [] };
  for (let i = 0; i < manifests.length; i++) {
    const parsed = ManifestSchema.safeParse(manifests[i]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      result.failed = { index: i, object: `manifest #${i + 1}`, status: 0, message: `${issue.path.join('.') || '(root)'}: ${issue.message}` };
      result.notSent = rest(manifests, i);
      return result;
    }
    const m = parsed.data;
    const ref: ObjectRef = { kind: m.kind, name: m.metadata.name, namespace: m.metadata.namespace };
    try {
      const out = await apiCall(dryRun ? 'server dry-run apply of' : 'applying', ref, () => api.objects.patch(
        m as KubernetesObject, undefined, dryRun ? 'All' : undefined, FIELD_MANAGER, o.force ?? false, PatchStrategy.ServerSideApply,
      ), o.timeoutMs);
      result.applied.push({ object: label(m), resourceVersion: out.metadata?.resourceVersion });
    } catch (e) {
      const status = e instanceof KubernetesApiError ? e.status : 0;
      result.failed = { index: i, object: label(m), status, message: e instanceof Error ? e.message : String(e) };
      result.notSent = rest(manifests, i);
      return result;
    }
  }
  return result;
}
