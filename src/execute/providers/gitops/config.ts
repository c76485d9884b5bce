import { z } from 'zod';

/** Where the GitOps provider writes: a working copy of the repository Argo CD or Flux syncs from. */
export const GitOpsConfigSchema = z.strictObject({
  /** The working copy (a clone, not a bare repository). */
  repo: z.string().min(1),
  /** Folder inside the repository holding the manifests (searched recursively); `.` is the whole repository. */
  path: z.string().min(1).default('.'),
  /** Only manifests of this namespace; absent: any (a name found in two namespaces is then ambiguous). */
  namespace: z.string().min(1).optional(),
  /** Push each commit to `remote` (Argo CD / Flux only see what is pushed). */
  push: z.boolean().default(false),
  remote: z.string().min(1).default('origin'),
  /** Branch to push to; default: the working copy's current branch. */
  branch: z.string().min(1).optional(),
});
export type GitOpsConfig = z.output<typeof GitOpsConfigSchema>;
export type GitOpsConfigInput = z.input<typeof GitOpsConfigSchema>;

/** The identity every commit carries, so `git log --author=Autonomic` finds everything the loop changed. */
export const AUTONOMIC_AUTHOR = { name: 'Autonomic', email: 'autonomic@localhost' } as const;

/** The annotation `kubectl rollout restart` sets: changing it makes the Deployment controller replace every pod. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
