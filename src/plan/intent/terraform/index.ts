/** Terraform: HCL writer, offline validation, rules, fixer and the checker that combines them. */
export { attr, block, comment, expr, writeHcl, type HclNode, type HclValue } from './hcl.js';
export type { TfBody, TfConfig, TfRule, TfRuleHit } from './rule.js';
export { REQUIRED_ARGUMENTS, DATA_REQUIRED_ARGUMENTS, NESTED_REQUIRED_ARGUMENTS, type RequiredArgs } from './required.js';
export { ALL_TF_RULES, tfRuleById } from './rules.js';
export { checkReferences, checkRequired, mergeConfigs, parseTerraform, validateParsed, validateTerraform, type ParsedTerraform } from './validate.js';
export { fixTerraform, tfFixable } from './fix.js';
export { terraformChecker } from './checker.js';
