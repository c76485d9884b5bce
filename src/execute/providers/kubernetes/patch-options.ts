/**
 * Content types for PATCH. The generated clients default to JSON Patch; a merge patch or server-side apply needs
 * the Content-Type set per request.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

export const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const JSON_PATCH = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

/** The field manager every write of Autonomic is recorded under (kubectl shows it in managedFields). */
export const FIELD_MANAGER = 'autonomic';
