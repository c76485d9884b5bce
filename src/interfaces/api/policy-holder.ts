import { createHash } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { stringify as toYaml } from 'yaml';
import { stableStringify } from '../../knowledge/journal.js';
import type { GuardrailPolicy } from '../../govern/policy.js';

/**
 * The guardrail policy the API serves and checks proposals against. Backed by the policy file when `serve`
 * was given one (rewritten atomically on change, so a crash never leaves half a policy), else in memory only.
 */
export class PolicyHolder {
  constructor(private current: GuardrailPolicy, readonly file?: string) {}

  get(): GuardrailPolicy {
    return this.current;
  }

  /** A short fingerprint, so the journal and clients can tell policies apart without diffing them. */
  digest(policy: GuardrailPolicy = this.current): string {
    return createHash('sha256').update(stableStringify(policy)).digest('hex');
  }

  replace(policy: GuardrailPolicy): { persisted: boolean } {
    if (this.file) {
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, `# Written by the Autonomic API (PUT /api/policy); every default is spelled out.\n${toYaml(policy)}`);
      renameSync(tmp, this.file);
    }
    this.current = policy;
    return { persisted: this.file !== undefined };
  }
}
