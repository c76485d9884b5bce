/**
 * Self-healing moved to src/plan/remediation/: YAML playbooks (policies/playbooks/) run by the remediation
 * coordinator. This name stays for code that still imports it.
 */
export { RemediationCoordinator as HealingPolicy } from '../remediation/coordinator.js';
