/**
 * Walking a parsed playbook: its plays, every task in them (inside blocks too) with the path that
 * locates it, and which module a task calls. The rules and the fixer share this so a finding's
 * path always leads the fixer back to the same task.
 */

export type YamlPath = (string | number)[];
export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type TaskSection = 'pre_tasks' | 'tasks' | 'post_tasks' | 'handlers';
export const TASK_SECTIONS: readonly TaskSection[] = ['pre_tasks', 'tasks', 'post_tasks', 'handlers'];

/** Keys a task may carry besides its module (ansible-core 2.14 task keywords). */
const TASK_KEYWORDS = new Set([
  'name', 'action', 'local_action', 'args', 'any_errors_fatal', 'async', 'become', 'become_exe', 'become_flags', 'become_method', 'become_user',
  'changed_when', 'check_mode', 'collections', 'connection', 'debugger', 'delay', 'delegate_facts', 'delegate_to', 'diff', 'environment',
  'failed_when', 'ignore_errors', 'ignore_unreachable', 'listen', 'loop', 'loop_control', 'module_defaults', 'no_log', 'notify', 'poll',
  'port', 'register', 'remote_user', 'retries', 'run_once', 'tags', 'throttle', 'timeout', 'until', 'vars', 'when',
  'block', 'rescue', 'always',
]);

export interface PlayRef {
  play: Obj;
  index: number;
}

export interface TaskRef {
  task: Obj;
  /** Path from the document root: [playIndex, 'tasks', 3] or deeper inside blocks. */
  path: YamlPath;
  play: PlayRef;
  section: TaskSection;
}

/** A playbook is a list of plays; `import_playbook` entries are not plays of their own. */
export function playsOf(doc: unknown): PlayRef[] {
  if (!Array.isArray(doc)) return [];
  return doc.flatMap((play, index) => (isObj(play) && !('import_playbook' in play) && !('ansible.builtin.import_playbook' in play) ? [{ play, index }] : []));
}

export function tasksOf(plays: readonly PlayRef[]): TaskRef[] {
  const out: TaskRef[] = [];
  const walk = (list: unknown, path: YamlPath, play: PlayRef, section: TaskSection): void => {
    if (!Array.isArray(list)) return;
    list.forEach((task, i) => {
      if (!isObj(task)) return;
      const at = [...path, i];
      if ('block' in task) {
        for (const key of ['block', 'rescue', 'always']) walk(task[key], [...at, key], play, section);
        return;
      }
      out.push({ task, path: at, play, section });
    });
  };
  for (const play of plays) for (const section of TASK_SECTIONS) walk(play.play[section], [play.index, section], play, section);
  return out;
}

export interface ModuleCall {
  /** As written ("apt", "ansible.builtin.apt"). */
  name: string;
  args: unknown;
  /** The key holding it ("action" when written `action: apt ...`). */
  key: string;
}

export function moduleOf(task: Obj): ModuleCall | undefined {
  for (const key of ['action', 'local_action']) {
    const v = task[key];
    if (typeof v === 'string') return { name: v.trim().split(/\s+/)[0], args: v.trim().split(/\s+/).slice(1).join(' '), key };
    if (isObj(v) && typeof v.module === 'string') return { name: v.module, args: v, key };
  }
  const key = Object.keys(task).find((k) => !TASK_KEYWORDS.has(k) && !k.startsWith('with_'));
  return key === undefined ? undefined : { name: key, args: task[key], key };
}

/** "ansible.builtin.command" and "command" are the same module: compare by the last segment within ansible.builtin. */
export function isBuiltin(name: string, ...modules: string[]): boolean {
  const short = name.startsWith('ansible.builtin.') ? name.slice('ansible.builtin.'.length) : name.includes('.') ? undefined : name;
  return short !== undefined && modules.includes(short);
}

/** A Jinja expression or a vault value: something Ansible resolves, not a literal written into the file. */
export function isIndirect(v: unknown): boolean {
  return typeof v === 'string' && (/\{\{.*\}\}/s.test(v) || v.trimStart().startsWith('$ANSIBLE_VAULT;'));
}
