/**
 * The Terraform ArtefactChecker: the offline validator (parse, required arguments, references,
 * rules) and the rule-based fixer behind the interface the review loop uses for every target.
 */
import type { ArtefactChecker } from '../artefact.js';
import { fixTerraform } from './fix.js';
import { validateTerraform } from './validate.js';

export const terraformChecker: ArtefactChecker = {
  kinds: ['terraform'],
  validate: (files) => validateTerraform(files),
  fix: (files, findings) => fixTerraform(files, findings),
};
