import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { UserError } from '../../../core/errors.js';
import { createLlmProvider } from '../../../llm/create.js';
import { defaultPolicy, loadPolicyFile } from '../../../govern/policy.js';
import { openStore } from '../../../knowledge/store.js';
import { QUESTION_IDS, type Answers, type ClarifyingQuestion, type QuestionId } from '../../../plan/intent/clarify.js';
import { blocking } from '../../../plan/intent/findings.js';
import { ProxmoxApiError, proxmoxConfigFromEnv, ProxmoxClient, proxmoxInventory } from '../../../execute/providers/proxmox/index.js';
import type { Inventory } from '../../../plan/intent/inventory.js';
import { loadInventoryFile } from '../../../plan/intent/inventory-file.js';
import { analyzeRepository, profileToSpecHints, type SpecHints } from '../../../plan/intent/repo/index.js';
import type { Profile } from '../../../plan/intent/plan.js';
import { assertEmptyFolder, submitIntent, writeBundle, type SubmittedIntent } from '../../intent-service.js';
import { oneOf } from '../args.js';
import { printJson } from '../format.js';


/** `--answer node=pve2` (repeatable) → answers keyed by question id. */
function collectAnswer(v: string, prev: Answers): Answers {
  const m = /^([A-Za-z]+)=(.*)$/s.exec(v);
  if (!m) throw new UserError(`expected ID=VALUE, got '${v}'`, '--answer');
  const id = m[1] as QuestionId;
  if (!QUESTION_IDS.includes(id)) throw new UserError(`unknown question id '${m[1]}' (known: ${QUESTION_IDS.join(', ')})`, '--answer');
  if (m[2].trim() === '') throw new UserError(`empty answer for ${id}`, '--answer');
  return { ...prev, [id]: m[2].trim() };
}

interface AskOptions {
  yes?: boolean;
  out?: string;
  answer: Answers;
  inventory?: string;
  proxmox?: boolean;
  kubeconfig?: string;
  repo?: string;
  policy?: string;
  profile: Profile;
  parent?: string;
  db?: string;
  json?: boolean;
}

function describeQuestion(q: ClarifyingQuestion): string {
  const opts = q.options.length > 0 ? `\n    options: ${q.options.join(' | ')}` : '';
  const sug = q.suggested !== undefined ? `\n    default: ${q.suggested}` : '';
  return `  [${q.id}] ${q.question}${opts}${sug}${q.blocking ? '' : ' (optional)'}`;
}

/** Ask on the terminal; an empty reply takes the suggestion. */
async function askTerminal(questions: readonly ClarifyingQuestion[]): Promise<Answers> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answers: Answers = {};
  try {
    for (const q of questions) {
      const hint = q.options.length > 0 ? ` [${q.options.slice(0, 6).join(' | ')}]` : '';
      const def = q.suggested !== undefined ? ` (default ${q.suggested})` : '';
      const reply = (await rl.question(`${q.question}${hint}${def}\n> `)).trim();
      const value = reply === '' ? q.suggested : reply;
      if (value !== undefined && value !== '') answers[q.id] = value;
    }
  } finally {
    rl.close();
  }
  return answers;
}

function report(s: SubmittedIntent, written: string[] | undefined, outDir?: string): string {
  const r = s.result;
  const lines: string[] = [`intent ${s.stored.id}: ${s.stored.status} (${r.spec.target} ${r.spec.action}${r.spec.name ? ` "${r.spec.name}"` : ''})`];
  if (r.injections.length > 0) lines.push(`  ignored ${r.injections.length} sentence(s) that read as instructions to the tool, not a request: ${r.injections.map((i) => JSON.stringify(i.text.slice(0, 60))).join(', ')}`);
  if (r.questions.length > 0) lines.push('questions:', ...r.questions.map(describeQuestion));
  const decisions = r.plan?.decisions ?? [];
  if (decisions.length > 0) lines.push('plan:', ...decisions.map((d) => `  - ${d.topic}: ${d.choice} — ${d.rationale}`));
  if (r.files.length > 0) lines.push('artefacts:', ...r.files.map((f) => `  ${f.path} (${f.kind}, ${f.content.split('\n').length} lines)`));
  const open = r.findings.filter(blocking);
  lines.push(`review: ${r.rounds.length} round(s), ${r.rounds.reduce((n, x) => n + x.fixes.length, 0)} fix(es), ${open.length} open finding(s)`);
  for (const f of open.slice(0, 20)) lines.push(`  ${f.severity} ${f.ruleId} ${f.object}${f.path ? ` ${f.path}` : ''}: ${f.message}`);
  if (r.diff) {
    const changed = r.diff.files.filter((f) => f.change !== 'unchanged');
    lines.push(`change against ${s.stored.parentId}: +${r.diff.addedLines} −${r.diff.removedLines} line(s) in ${changed.length} file(s)${r.diff.additiveOnly ? ' (additions only)' : ''}`);
    for (const f of changed) lines.push(`  ${f.change} ${f.path} (+${f.addedLines} −${f.removedLines})`);
  }
  if (r.escalation) lines.push(`escalated to a human: ${r.escalation.reason}`);
  if (written && outDir) lines.push(`wrote ${written.length} file(s) under ${resolve(outDir)}`);
  if (s.stored.approvalRequired) lines.push(`approval required (${s.riskReasons.join('; ') || 'policy'}): autonomic intent approve ${s.stored.id} --by NAME`);
  else if (s.stored.status === 'ready') lines.push(`next: autonomic intent apply ${s.stored.id} --out DIR`);
  if (s.stored.status === 'needs-answers') lines.push(`answer with: autonomic ask "<same request>" --answer ID=VALUE ...  (or run it on a terminal to be asked)`);
  return lines.join('\n') + '\n';
}

export function registerAsk(program: Command): void {
  program
    .command('ask <intent>')
    .description(
      'Turn a natural-language request into validated infrastructure code: clarifying questions (with real options from the inventory), ' +
        'a plan with a rationale per choice, artefacts (Kubernetes YAML, Terraform for Proxmox/AWS, Ansible, cloud-init), review and fixes, ' +
        'and an approval gate. The bundle is kept in the store (see `autonomic intent`); nothing is applied to infrastructure.',
    )
    .option('--yes', 'non-interactive: take the suggested answer for every question; fail (exit 2) if a required one has none')
    .option('--answer <id=value>', `answer a clarifying question (repeatable); ids: ${QUESTION_IDS.join(', ')}`, collectAnswer, {})
    .option('--out <dir>', 'also write the artefacts to this (empty or new) folder')
    .option('--inventory <file>', 'JSON inventory for grounding (nodes with free capacity, templates, storage, names); see README')
    .option('--proxmox', 'ground on a live Proxmox cluster ($AUTONOMIC_PROXMOX_URL, $AUTONOMIC_PROXMOX_TOKEN): nodes, free capacity, templates, VMIDs')
    .option('--kubeconfig <file>', 'ground on a live Kubernetes cluster: nodes and free capacity, namespaces, storage classes, images and names in use')
    .option('--repo <path-or-url>', 'read the app from a repository (Dockerfile, compose, package.json, Chart.yaml, manifests): image, ports, env, health check')
    .option('--policy <file>', 'guardrail policy YAML (replica bounds etc.); default: built-in policy')
    .option('--profile <profile>', 'hardened (secure defaults added) or as-requested (only what the request names)', oneOf('--profile', ['hardened', 'as-requested'] as const), 'hardened')
    .option('--parent <id>', 'the earlier bundle this request changes (default for "add … to that cluster": the newest built one)')
    .option('--db <path>', 'knowledge store')
    .option('--json', 'JSON output (the stored bundle and the pipeline result)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  autonomic ask "deploy nginx with three replicas behind a load balancer" --yes --out ./web\n' +
        '  autonomic ask "create a webserver based on template vm id 100" --inventory pve.json\n' +
        '  autonomic ask "create a highly available k3s cluster on Proxmox: 3 control-plane and 2 worker VMs from template 100, API on a virtual IP 192.168.1.100" --yes\n' +
        '  autonomic ask "add one more worker to that cluster" --yes\n',
    )
    .action(async (text: string, o: AskOptions) => {
      if (text.trim() === '') throw new UserError('the request is empty', 'intent');
      if (text.length > 20000) throw new UserError(`the request is ${text.length} characters; at most 20000`, 'intent');
      if (o.out) assertEmptyFolder(o.out);
      const policy = o.policy ? loadPolicyFile(o.policy) : defaultPolicy();
      if ([o.inventory, o.proxmox, o.kubeconfig].filter((x) => x !== undefined && x !== false).length > 1) throw new UserError('ground on one inventory: --inventory, --proxmox or --kubeconfig', '--inventory');
      let inventory: Inventory | undefined = o.inventory ? loadInventoryFile(o.inventory) : undefined;
      if (o.proxmox) {
        try {
          inventory = await proxmoxInventory(await ProxmoxClient.fromConfig(proxmoxConfigFromEnv()));
        } catch (e) {
          // A dead or refusing Proxmox is bad input for this command, not a crash: name it and stop.
          if (e instanceof ProxmoxApiError) throw new UserError(e.message, '--proxmox');
          throw e;
        }
      }
      if (o.kubeconfig !== undefined) {
        // Loaded only when asked for: the Kubernetes client is heavy.
        const { kubernetesSourceFromKubeconfig } = await import('../../../execute/providers/kubernetes/factory.js');
        const { KubernetesApiError } = await import('../../../execute/providers/kubernetes/api-error.js');
        try {
          inventory = await kubernetesSourceFromKubeconfig(o.kubeconfig).inventory();
        } catch (e) {
          if (e instanceof KubernetesApiError) throw new UserError(e.message, '--kubeconfig');
          throw e;
        }
      }
      let hints: SpecHints | undefined;
      if (o.repo) {
        const profile = await analyzeRepository(o.repo);
        hints = profileToSpecHints(profile);
        if (!o.json) process.stderr.write(`repository: ${profile.name}${profile.image ? `, image ${profile.image}` : ''}${profile.ports.length ? `, ports ${profile.ports.map((p) => p.port).join(',')}` : ''}${profile.healthPath ? `, health ${profile.healthPath}` : ''}\n`);
      }
      // No LLM unless one is configured ($AUTONOMIC_LLM_*): then it is the review's fixer of last resort.
      const llm = createLlmProvider();
      const store = await openStore(o.db);
      try {
        let answers: Answers = { ...o.answer };
        const interactive = !o.yes && !o.json && process.stdin.isTTY === true;
        const base = { policy, inventory, hints, llm, profile: o.profile, parentId: o.parent, actor: process.env.USER ?? 'cli', via: 'cli' as const };
        let s = await submitIntent(store, text, { ...base, answers });
        // Interactive: ask what is open on the terminal, then run again with the answers (each turn is journaled).
        for (let turn = 0; interactive && s.result.status === 'needs-answers' && turn < 5; turn++) {
          const add = await askTerminal(s.result.questions.filter((q) => answers[q.id] === undefined));
          if (Object.keys(add).length === 0) break;
          answers = { ...answers, ...add };
          s = await submitIntent(store, text, { ...base, answers });
        }
        if (o.yes && s.result.status === 'needs-answers') {
          for (const q of s.result.questions) if (q.blocking && answers[q.id] === undefined && q.suggested !== undefined) answers[q.id] = q.suggested;
          s = await submitIntent(store, text, { ...base, answers });
          const unanswered = s.result.questions.filter((q) => q.blocking && answers[q.id] === undefined);
          if (s.result.status === 'needs-answers') {
            process.stderr.write(report(s, undefined));
            throw new UserError(`${unanswered.length || s.result.questions.filter((q) => q.blocking).length} required question(s) have no default; answer them with --answer ID=VALUE`, 'intent');
          }
        }
        const written = o.out && s.result.files.length > 0 ? writeBundle(s.result.files, o.out) : undefined;
        if (o.json) printJson({ intent: s.stored, result: { ...s.result, artefacts: undefined }, riskReasons: s.riskReasons, written: written ?? [] });
        else process.stdout.write(report(s, written, o.out));
        if (s.result.status === 'escalated' || s.result.status === 'no-builder') process.exitCode = 1;
      } finally {
        await store.close();
        await llm.close();
      }
    });
}
