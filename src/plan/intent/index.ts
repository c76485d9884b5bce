/**
 * Natural-language intent → validated infrastructure code (issue 5). The pipeline entry point and
 * the types a CLI or API needs; the stages are importable on their own from their files.
 */
export { runIntentPipeline, type IntentPipelineOptions, type IntentPipelineResult, type IntentStage, type IntentStatus } from './pipeline.js';
export { parseIntent, type ParseResult } from './parse.js';
export { clarify, applyAnswers, type Answers, type ClarifyingQuestion } from './clarify.js';
export { planIntent, type IntentPlan, type Decision, type Profile } from './plan.js';
export { buildKubernetes } from './k8s/build.js';
export { toYaml } from './k8s/emit.js';
export { reviewAndRefine, validateArtefacts, runRules, DEFAULT_MAX_ROUNDS, type ReviewResult, type ReviewRound } from './review.js';
export { K8S_RULES, type K8sRule } from './rules/k8s-rules.js';
export { inventoryFromSnapshot, StaticInventory, EMPTY_INVENTORY, type Inventory } from './inventory.js';
export type { Finding, Severity } from './findings.js';
export { IntentSpecSchema, type IntentSpec } from './spec.js';
