/**
 * Ansible rules: small pure checks over one parsed artefact file (playbook, inventory or vars), each
 * with a stable id, the ansible-lint rule it mirrors (when ansible-lint has one), and, where a
 * change is safe without a human, a fix that edits the YAML document in place (comments kept).
 */
import { isMap, isScalar, type Document, type YAMLMap } from 'yaml';
import type { ArtefactKind } from '../artefact.js';
import type { Severity } from '../findings.js';
import { isHostAddress } from './address.js';
import type { InventoryIndex } from './inventory.js';
import type { ParsedAnsibleFile } from './parsed-file.js';
import { isBuiltin, isIndirect, isObj, moduleOf, playsOf, tasksOf, type Obj, type TaskRef, type YamlPath } from './tasks.js';

export interface AnsibleRuleContext {
  parsed: ParsedAnsibleFile;
  /** The bundle's inventory, when it has a YAML one. */
  inventory?: InventoryIndex;
}

export interface AnsibleRuleHit {
  path: YamlPath;
  message: string;
}

export interface AnsibleRule {
  /** Stable id: ANS-NNN. */
  id: string;
  title: string;
  severity: Severity;
  /** The ansible-lint rule checking the same thing, when there is one. */
  ansibleLint?: string;
  checkov?: string;
  kinds: readonly ArtefactKind[];
  check(ctx: AnsibleRuleContext): AnsibleRuleHit[];
  /** Edit the node the hit points at; returns what changed, or undefined when nothing could be done. */
  fix?(node: YAMLMap, doc: Document): string | undefined;
}

/** Every module ansible-core 2.14 ships as ansible.builtin (for the short-name → FQCN fix). */
export const BUILTIN_MODULES = new Set([
  'add_host', 'apt', 'apt_key', 'apt_repository', 'assemble', 'assert', 'async_status', 'blockinfile', 'command', 'copy', 'cron', 'debconf',
  'debug', 'dnf', 'dpkg_selections', 'expect', 'fail', 'fetch', 'file', 'find', 'gather_facts', 'get_url', 'getent', 'git', 'group', 'group_by',
  'hostname', 'import_playbook', 'import_role', 'import_tasks', 'include', 'include_role', 'include_tasks', 'include_vars', 'iptables',
  'known_hosts', 'lineinfile', 'meta', 'package', 'package_facts', 'pause', 'ping', 'pip', 'raw', 'reboot', 'replace', 'rpm_key', 'script',
  'service', 'service_facts', 'set_fact', 'set_stats', 'setup', 'shell', 'slurp', 'stat', 'subversion', 'systemd', 'systemd_service', 'sysvinit',
  'tempfile', 'template', 'unarchive', 'uri', 'user', 'validate_argument_spec', 'wait_for', 'wait_for_connection', 'yum', 'yum_repository',
]);

/** Modules that never need root: `become` on a play or task made only of these grants privilege for nothing. */
const NO_ROOT_MODULES = ['debug', 'assert', 'fail', 'set_fact', 'ping', 'meta', 'pause', 'wait_for', 'wait_for_connection', 'include_tasks', 'import_tasks', 'include_vars', 'add_host', 'group_by', 'set_stats', 'validate_argument_spec', 'uri'];

/** Variable names that hold credentials. */
const SECRET_KEY = /(?:^|_)(?:password|passwd|secret|token|api_?key|private_?key|credentials?)$/i;
const VAR_NAME = /^[a-z_][a-z0-9_]*$/;
const COMMANDS = ['command', 'shell', 'raw'];
const TRUTHY = new Set<unknown>([true, 'true', 'yes', 'True', 'Yes', 1]);

const playbook = (ctx: AnsibleRuleContext) => (ctx.parsed.file.kind === 'ansible-playbook' ? tasksOf(playsOf(ctx.parsed.value)) : []);

function taskLabel(t: TaskRef): string {
  return typeof t.task.name === 'string' ? `task "${t.task.name}"` : `task ${t.path.join('.')}`;
}

/** The command line of a command/shell task, however it was written. */
function commandText(args: unknown): string | undefined {
  if (typeof args === 'string') return args;
  if (isObj(args)) for (const k of ['cmd', '_raw_params']) if (typeof args[k] === 'string') return args[k] as string;
  return undefined;
}

function argsOf(t: TaskRef): Obj {
  const m = moduleOf(t.task);
  const own = isObj(m?.args) ? m.args : {};
  return isObj(t.task.args) ? { ...t.task.args, ...own } : own;
}

function hasFreeFormArg(args: unknown, key: string): boolean {
  return typeof args === 'string' && new RegExp(`(?:^|\\s)${key}=`).test(args);
}

function conditions(task: Obj): string[] {
  return ['when', 'changed_when', 'failed_when', 'until']
    .flatMap((k) => (Array.isArray(task[k]) ? (task[k] as unknown[]) : [task[k]]))
    .filter((c): c is string => typeof c === 'string');
}

/** Every mapping key in a value with its path, for the secret and naming rules. */
function entries(value: unknown, path: YamlPath = []): { key: string; value: unknown; path: YamlPath }[] {
  const out: { key: string; value: unknown; path: YamlPath }[] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...entries(v, [...path, i])));
  else if (isObj(value))
    for (const [k, v] of Object.entries(value)) {
      out.push({ key: k, value: v, path: [...path, k] });
      out.push(...entries(v, [...path, k]));
    }
  return out;
}

/** Variables a file defines: group_vars keys, play/task vars, inventory vars, registered results, set_fact keys. */
function definedVariables(ctx: AnsibleRuleContext): { name: string; path: YamlPath }[] {
  const v = ctx.parsed.value;
  const out: { name: string; path: YamlPath }[] = [];
  const keysOf = (o: unknown, path: YamlPath) => {
    if (isObj(o)) for (const k of Object.keys(o)) out.push({ name: k, path: [...path, k] });
  };
  switch (ctx.parsed.file.kind) {
    case 'ansible-vars':
      keysOf(v, []);
      break;
    case 'ansible-inventory':
      for (const e of entries(v)) if (e.key === 'vars') keysOf(e.value, e.path);
      break;
    case 'ansible-playbook':
      for (const p of playsOf(v)) keysOf(p.play.vars, [p.index, 'vars']);
      for (const t of playbook(ctx)) {
        keysOf(t.task.vars, [...t.path, 'vars']);
        if (typeof t.task.register === 'string') out.push({ name: t.task.register, path: [...t.path, 'register'] });
        const m = moduleOf(t.task);
        if (m && isBuiltin(m.name, 'set_fact')) for (const k of Object.keys(isObj(m.args) ? m.args : {})) if (k !== 'cacheable') out.push({ name: k, path: [...t.path, m.key, k] });
      }
      break;
    default:
      break;
  }
  return out;
}

/** Host names of a play's `hosts:` pattern ("web:&prod:!db", "k3s_servers[1:]"), skipping globs and Jinja. */
function patternNames(hosts: unknown): string[] {
  const list = Array.isArray(hosts) ? hosts.map(String) : typeof hosts === 'string' ? hosts.split(/[,:](?![^[]*\])/) : [];
  return list
    .map((p) => p.trim().replace(/^[!&]/, '').replace(/\[[^\]]*\]$/, ''))
    .filter((p) => p !== '' && !/[*?{}~]/.test(p) && !/^\d+\]?$/.test(p));
}

export const ANSIBLE_RULES: readonly AnsibleRule[] = [
  {
    id: 'ANS-002',
    title: 'Plays name their hosts and have tasks or roles',
    severity: 'error',
    ansibleLint: 'schema[playbook]',
    kinds: ['ansible-playbook'],
    check: (ctx) => {
      const v = ctx.parsed.value;
      if (!Array.isArray(v)) return [{ path: [], message: 'a playbook must be a list of plays' }];
      const hits: AnsibleRuleHit[] = v.flatMap((p, i) => (isObj(p) ? [] : [{ path: [i], message: `item ${i} is not a play (a mapping with hosts and tasks)` }]));
      for (const { play, index } of playsOf(v)) {
        const label = typeof play.name === 'string' ? `play "${play.name}"` : `play ${index}`;
        if (play.hosts === undefined || play.hosts === null || play.hosts === '') hits.push({ path: [index], message: `${label} has no hosts` });
        if (!['tasks', 'pre_tasks', 'post_tasks', 'roles'].some((k) => Array.isArray(play[k]) && (play[k] as unknown[]).length > 0)) hits.push({ path: [index], message: `${label} has neither tasks nor roles` });
      }
      return hits;
    },
  },
  {
    id: 'ANS-003',
    title: 'Modules are called by their fully-qualified collection name',
    severity: 'warning',
    ansibleLint: 'fqcn',
    kinds: ['ansible-playbook'],
    check: (ctx) =>
      playbook(ctx).flatMap((t) => {
        const m = moduleOf(t.task);
        if (!m || m.key === 'action' || m.key === 'local_action' || m.name.split('.').length >= 3) return [];
        const hint = BUILTIN_MODULES.has(m.name) ? ` (use ansible.builtin.${m.name})` : '';
        return [{ path: t.path, message: `${taskLabel(t)} calls "${m.name}" by its short name${hint}` }];
      }),
    fix: (node) => {
      for (const { key } of node.items) {
        if (!isScalar(key) || typeof key.value !== 'string' || !BUILTIN_MODULES.has(key.value)) continue;
        const short = key.value;
        key.value = `ansible.builtin.${short}`;
        return `${short} → ansible.builtin.${short}`;
      }
      return undefined;
    },
  },
  {
    id: 'ANS-004',
    title: 'Commands say when they changed something (changed_when, creates or removes)',
    severity: 'warning',
    ansibleLint: 'no-changed-when',
    kinds: ['ansible-playbook'],
    check: (ctx) =>
      playbook(ctx).flatMap((t) => {
        const m = moduleOf(t.task);
        if (!m || !isBuiltin(m.name, ...COMMANDS) || t.task.changed_when !== undefined) return [];
        const args = argsOf(t);
        if (args.creates !== undefined || args.removes !== undefined || hasFreeFormArg(m.args, 'creates') || hasFreeFormArg(m.args, 'removes')) return [];
        return [{ path: t.path, message: `${taskLabel(t)} runs ${m.name} without changed_when, creates or removes, so every run reports a change` }];
      }),
    fix: (node) => {
      node.set('changed_when', false);
      return 'added changed_when: false';
    },
  },
  {
    id: 'ANS-005',
    title: 'Shell pipelines fail when any command in them fails (set -o pipefail)',
    severity: 'warning',
    ansibleLint: 'risky-shell-pipe',
    kinds: ['ansible-playbook'],
    check: (ctx) =>
      playbook(ctx).flatMap((t) => {
        const m = moduleOf(t.task);
        const text = m && isBuiltin(m.name, 'shell') ? commandText(m.args) : undefined;
        if (!text) return [];
        const bare = text.replace(/\{\{.*?\}\}/gs, '').replace(/'[^']*'|"[^"]*"/g, '').replace(/\|\|/g, '');
        return bare.includes('|') && !/pipefail/.test(text) ? [{ path: t.path, message: `${taskLabel(t)} pipes commands without "set -o pipefail": a failure before the last command goes unnoticed` }] : [];
      }),
  },
  {
    id: 'ANS-006',
    title: 'Module arguments are a mapping, not a free-form string',
    severity: 'warning',
    ansibleLint: 'no-free-form',
    kinds: ['ansible-playbook'],
    check: (ctx) =>
      playbook(ctx).flatMap((t) => {
        const m = moduleOf(t.task);
        if (!m || m.key === 'action' || m.key === 'local_action' || typeof m.args !== 'string' || isBuiltin(m.name, 'raw', 'meta', 'include_tasks', 'import_tasks', 'include_vars', 'import_playbook')) return [];
        if (!isBuiltin(m.name, 'command', 'shell', 'script') && !/\w=/.test(m.args)) return [];
        return [{ path: t.path, message: `${taskLabel(t)} passes ${m.name} a free-form string` }];
      }),
    fix: (node, doc) => {
      const pair = node.items.find((p) => isScalar(p.key) && isScalar(p.value) && typeof p.value.value === 'string' && moduleKey(String(p.key.value)));
      if (!pair || !isScalar(pair.value) || !isScalar(pair.key)) return undefined;
      const text = String(pair.value.value).trim();
      const name = String(pair.key.value);
      if (isBuiltin(name, 'command', 'shell', 'script')) {
        // Leading/trailing `creates=/x` style options become their own keys; the rest is the command.
        const args: Record<string, string> = {};
        const words = text.split(/\s+/);
        const rest = words.filter((w) => {
          const kv = /^(creates|removes|chdir|executable)=(\S+)$/.exec(w);
          if (kv) args[kv[1]] = kv[2];
          return !kv;
        });
        pair.value = doc.createNode({ cmd: rest.join(' '), ...args });
        return `${name}: free-form string → cmd mapping`;
      }
      const parts = text.match(/\w+=(?:"[^"]*"|'[^']*'|\S+)/g) ?? [];
      if (parts.join(' ') !== text.replace(/\s+/g, ' ')) return undefined;
      const args = Object.fromEntries(parts.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1).replace(/^(["'])(.*)\1$/, '$2')]));
      pair.value = doc.createNode(args);
      return `${name}: key=value string → mapping`;
    },
  },
  {
    id: 'ANS-007',
    title: 'Every task has a name',
    severity: 'warning',
    ansibleLint: 'name[missing]',
    kinds: ['ansible-playbook'],
    check: (ctx) => playbook(ctx).flatMap((t) => (typeof t.task.name === 'string' && t.task.name.trim() !== '' ? [] : [{ path: t.path, message: `${taskLabel(t)} has no name, so its output and failures are hard to follow` }])),
    fix: (node, doc) => {
      const task = node.toJSON() as Obj;
      const m = moduleOf(task);
      if (!m) return undefined;
      const args = isObj(m.args) ? m.args : {};
      const what = [commandText(m.args), args.name, args.dest, args.path, args.src].find((x): x is string => typeof x === 'string');
      const short = m.name.replace(/^ansible\.builtin\./, '');
      const name = `Run ${short}${what ? `: ${what.length > 60 ? what.slice(0, 57) + '...' : what}` : ''}`;
      node.items.unshift(doc.createPair('name', name));
      return `named the task "${name}"`;
    },
  },
  {
    id: 'ANS-008',
    title: 'Files a task creates get an explicit mode',
    severity: 'warning',
    ansibleLint: 'risky-file-permissions',
    kinds: ['ansible-playbook'],
    check: (ctx) =>
      playbook(ctx).flatMap((t) => {
        const m = moduleOf(t.task);
        if (!m) return [];
        const args = argsOf(t);
        const creates =
          isBuiltin(m.name, 'copy', 'template', 'get_url', 'assemble') ||
          (isBuiltin(m.name, 'file') && (args.state === 'directory' || args.state === 'touch')) ||
          (isBuiltin(m.name, 'lineinfile', 'blockinfile') && TRUTHY.has(args.create));
        if (!creates || args.mode !== undefined || hasFreeFormArg(m.args, 'mode')) return [];
        return [{ path: t.path, message: `${taskLabel(t)} may create a file without a mode: it gets the umask's permissions, which differ between hosts` }];
      }),
  },
  {
    id: 'ANS-009',
    title: 'Conditions do not compare to literal true/false',
    severity: 'warning',
    ansibleLint: 'literal-compare',
    kinds: ['ansible-playbook'],
    check: (ctx) =>
      playbook(ctx).flatMap((t) => (conditions(t.task).some((c) => /[=!]=\s*(?:True|False|true|false)\b/.test(c)) ? [{ path: t.path, message: `${taskLabel(t)} compares to a literal true/false: use "when: x" or "when: not x"` }] : [])),
  },
  {
    id: 'ANS-010',
    title: 'become_user comes with become',
    severity: 'warning',
    ansibleLint: 'partial-become',
    kinds: ['ansible-playbook'],
    check: (ctx) => {
      const plays = playsOf(ctx.parsed.value);
      const hits: AnsibleRuleHit[] = plays.filter((p) => p.play.become_user !== undefined && !TRUTHY.has(p.play.become)).map((p) => ({ path: [p.index], message: `play ${p.index} sets become_user without become: it has no effect` }));
      for (const t of tasksOf(plays))
        if (t.task.become_user !== undefined && !TRUTHY.has(t.task.become) && !TRUTHY.has(t.play.play.become))
          hits.push({ path: t.path, message: `${taskLabel(t)} sets become_user without become: it has no effect` });
      return hits;
    },
  },
  {
    id: 'ANS-011',
    title: 'Variable names are lowercase snake_case',
    severity: 'warning',
    ansibleLint: 'var-naming[pattern]',
    kinds: ['ansible-playbook', 'ansible-vars', 'ansible-inventory'],
    check: (ctx) => definedVariables(ctx).flatMap((v) => (VAR_NAME.test(v.name) ? [] : [{ path: v.path, message: `variable "${v.name}" is not lowercase snake_case (${VAR_NAME.source})` }])),
  },
  {
    id: 'ANS-012',
    title: 'Tasks that handle a secret do not log it (no_log: true)',
    severity: 'warning',
    ansibleLint: 'no-log-password',
    kinds: ['ansible-playbook'],
    check: (ctx) =>
      playbook(ctx).flatMap((t) => {
        if (TRUTHY.has(t.task.no_log)) return [];
        const keys = [...Object.keys(argsOf(t)), ...Object.keys(isObj(t.task.environment) ? t.task.environment : {})].filter((k) => SECRET_KEY.test(k));
        return keys.length > 0 ? [{ path: t.path, message: `${taskLabel(t)} passes ${keys.join(', ')} without no_log: true, so it can appear in logs` }] : [];
      }),
    fix: (node) => {
      node.set('no_log', true);
      return 'added no_log: true';
    },
  },
  {
    id: 'ANS-013',
    title: 'No literal secrets: passwords and tokens come from a variable, a lookup or the vault',
    severity: 'error',
    checkov: 'CKV_SECRET_6',
    kinds: ['ansible-playbook', 'ansible-vars', 'ansible-inventory'],
    check: (ctx) =>
      entries(ctx.parsed.value).flatMap((e) =>
        SECRET_KEY.test(e.key) && (typeof e.value === 'string' || typeof e.value === 'number') && String(e.value) !== '' && !isIndirect(e.value)
          ? [{ path: e.path, message: `"${e.key}" holds a literal secret: use "{{ lookup('env', ...) }}" or an ansible-vault value` }]
          : [],
      ),
  },
  {
    id: 'ANS-014',
    title: 'Plays target groups or hosts the inventory defines',
    severity: 'error',
    kinds: ['ansible-playbook'],
    check: (ctx) => {
      const inv = ctx.inventory;
      if (!inv) return [];
      return playsOf(ctx.parsed.value).flatMap((p) =>
        patternNames(p.play.hosts)
          .filter((n) => !inv.groups.has(n) && !inv.hosts.has(n) && n !== 'localhost')
          .map((n) => ({ path: [p.index, 'hosts'], message: `play ${p.index} targets "${n}", which is neither a group nor a host of the inventory` })),
      );
    },
  },
  {
    id: 'ANS-015',
    title: 'become only where a task needs root',
    severity: 'warning',
    kinds: ['ansible-playbook'],
    check: (ctx) => {
      const plays = playsOf(ctx.parsed.value);
      const tasks = tasksOf(plays);
      const noRoot = (t: TaskRef) => {
        const m = moduleOf(t.task);
        return !!m && isBuiltin(m.name, ...NO_ROOT_MODULES);
      };
      const hits: AnsibleRuleHit[] = [];
      for (const p of plays) {
        const own = tasks.filter((t) => t.play === p);
        if (TRUTHY.has(p.play.become) && own.length > 0 && !Array.isArray(p.play.roles) && own.every(noRoot)) hits.push({ path: [p.index, 'become'], message: `play ${p.index} becomes root but none of its tasks needs it` });
      }
      for (const t of tasks) if (TRUTHY.has(t.task.become) && noRoot(t)) hits.push({ path: t.path, message: `${taskLabel(t)} becomes root for a module that never needs it` });
      return hits;
    },
  },
  {
    id: 'ANS-016',
    title: 'Inventory hosts are DNS names or IPv4 addresses',
    severity: 'error',
    kinds: ['ansible-inventory'],
    check: (ctx) => {
      const hits: AnsibleRuleHit[] = [];
      for (const e of entries(ctx.parsed.value)) {
        if (e.key !== 'hosts' || !isObj(e.value)) continue;
        for (const [name, vars] of Object.entries(e.value)) {
          // Ranges ("web[01:10]") expand to names: check the name with the range taken out.
          if (!isHostAddress(name.replace(/\[[^\]]+\]/g, '0'))) hits.push({ path: [...e.path, name], message: `host "${name}" is neither a DNS name nor an IPv4 address` });
          const address = isObj(vars) ? vars.ansible_host : undefined;
          if (address !== undefined && !(typeof address === 'string' && (isHostAddress(address) || isIndirect(address))))
            hits.push({ path: [...e.path, name, 'ansible_host'], message: `host "${name}" has ansible_host "${String(address)}", which is neither a DNS name nor an IPv4 address` });
        }
      }
      return hits;
    },
  },
  {
    id: 'ANS-017',
    title: 'shell only when the command needs a shell',
    severity: 'warning',
    ansibleLint: 'command-instead-of-shell',
    kinds: ['ansible-playbook'],
    check: (ctx) =>
      playbook(ctx).flatMap((t) => {
        const m = moduleOf(t.task);
        const text = m && isBuiltin(m.name, 'shell') ? commandText(m.args) : undefined;
        if (text === undefined || (isObj(m!.args) && m!.args.executable !== undefined)) return [];
        return /[|&;<>$`*?~(){}[\]\n]|^\s*(?:cd|source|export)\b/.test(text.replace(/\{\{.*?\}\}/gs, '')) ? [] : [{ path: t.path, message: `${taskLabel(t)} uses shell for a plain command: ansible.builtin.command does not expand anything` }];
      }),
    fix: (node) => {
      const pair = node.items.find((p) => isScalar(p.key) && isBuiltin(String(p.key.value), 'shell'));
      if (!pair || !isScalar(pair.key)) return undefined;
      pair.key.value = 'ansible.builtin.command';
      return 'shell → ansible.builtin.command';
    },
  },
  {
    id: 'ANS-018',
    title: 'Packages are installed at a fixed state, not "latest"',
    severity: 'warning',
    ansibleLint: 'package-latest',
    kinds: ['ansible-playbook'],
    check: (ctx) =>
      playbook(ctx).flatMap((t) => {
        const m = moduleOf(t.task);
        const args = argsOf(t);
        return m && isBuiltin(m.name, 'package', 'apt', 'yum', 'dnf', 'pip') && args.state === 'latest' && !TRUTHY.has(args.update_only)
          ? [{ path: t.path, message: `${taskLabel(t)} installs the latest version: reruns upgrade packages unannounced` }]
          : [];
      }),
  },
];

function moduleKey(key: string): boolean {
  return moduleOf({ [key]: null })?.name === key;
}

/** The YAML map node of a task, for fixes: undefined when the path no longer leads to one. */
export function taskNode(doc: Document, path: YamlPath): YAMLMap | undefined {
  const node = doc.getIn(path, true);
  return isMap(node) ? node : undefined;
}

export const ruleById = (id: string): AnsibleRule | undefined => ANSIBLE_RULES.find((r) => r.id === id);

/** Rules outside the table: raised by the validator itself (YAML load, the real syntax check). */
export const ANS_YAML = { id: 'ANS-001', ansibleLint: 'yaml', title: 'Files are valid YAML' } as const;
export const ANS_SYNTAX = { id: 'ANS-019', ansibleLint: 'syntax-check', title: 'ansible-playbook --syntax-check passes' } as const;
