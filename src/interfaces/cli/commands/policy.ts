import type { Command } from 'commander';
import { loadPolicyFile, resolveServiceBounds } from '../../../govern/policy.js';
import { printJson } from '../format.js';

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('Guardrail policy files.');
  policy
    .command('check <file>')
    .description('Validate a guardrail policy YAML file. Errors name the file, line, column and field; exit code 2 when invalid.')
    .option('--json', 'print the policy with every default applied')
    .action((file: string, o: { json?: boolean }) => {
      const p = loadPolicyFile(file);
      if (o.json) return printJson(p);
      const star = resolveServiceBounds(p, '*');
      const high = Object.entries(p.riskTiers).filter(([, t]) => t === 'high').map(([k]) => k);
      process.stdout.write(
        [
          `${file}: valid`,
          `  replicas: ${star.minReplicas}–${star.maxReplicas} by default; ${Object.keys(p.services).filter((s) => s !== '*').length} services with their own bounds`,
          `  nodes: ${p.cluster.minNodes}–${p.cluster.maxNodes}; cost cap: ${p.cluster.maxCostPerHour === undefined ? 'none' : `$${p.cluster.maxCostPerHour}/h`}; instance types: ${p.cluster.allowedInstanceTypes.join(', ') || 'any'}; spot ${p.cluster.allowSpot ? 'allowed' : 'denied'}`,
          `  rate limit: ${p.rateLimits.maxActionsPerWindow} actions per ${p.rateLimits.windowSeconds} s per resource; blast radius: ${Math.round(p.blastRadius.maxReplicaChangeShare * 100)}% (at least ${p.blastRadius.minAbsoluteChange})`,
          `  needs approval: ${high.join(', ') || 'nothing'}; approvals expire after ${p.approvals.expirySeconds} s`,
        ].join('\n') + '\n',
      );
    });
}
