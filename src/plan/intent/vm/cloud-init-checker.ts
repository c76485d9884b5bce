/** cloud-init user-data behind the ArtefactChecker interface the review loop uses (validation only: no safe automatic fix). */
import type { ArtefactChecker } from '../artefact.js';
import { validateCloudInit } from './cloud-init.js';

export const cloudInitChecker: ArtefactChecker = {
  kinds: ['cloud-init'],
  validate: async (files) => files.flatMap((f) => validateCloudInit(f.content, f.path)),
  fix: (files) => ({ files: [...files], applied: [] }),
};
