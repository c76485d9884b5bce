import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtefactFile } from '../src/plan/intent/artefact.js';
import { buildK3sAnsible } from '../src/plan/intent/ansible/k3s.js';
import { ANSIBLE_RULES } from '../src/plan/intent/ansible/rules.js';
import { AnsiblePlaybookSyntaxChecker, type AnsibleSyntaxChecker } from '../src/plan/intent/ansible/syntax-check.js';
import { ansibleChecker, validateAnsible } from '../src/plan/intent/ansible/validate.js';
import { HA, k3sPlan, needsAnsible } from './intent-ansible-plans.js';

const INVENTORY = `all:
  children:
    web:
      hosts:
        web1:
          ansible_host: 10.0.0.5
`;

/** Rule tests run without the process; the real syntax check has its own tests below. */
const noSyntaxCheck: AnsibleSyntaxChecker = { check: async () => [] };

function bundle(site: string, extra: ArtefactFile[] = []): ArtefactFile[] {
  return [{ path: 'ansible/inventory.yml', kind: 'ansible-inventory', content: INVENTORY }, { path: 'ansible/site.yml', kind: 'ansible-playbook', content: site }, ...extra];
}

/** One play on group web with the given task lines (indented as tasks). */
function play(tasks: string, head = '  hosts: web\n  become: true\n'): string {
  return `- name: Configure web\n${head}  tasks:\n${tasks
    .trim()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n`;
}

const GOOD_TASK = `- name: Install nginx
  ansible.builtin.package:
    name: nginx
    state: present`;

/** A bad bundle for each rule, and the ansible-lint name the finding must carry. */
const CASES: { id: string; lint?: string; files: ArtefactFile[]; line?: number }[] = [
  { id: 'ANS-001', lint: 'yaml', files: bundle('- name: x\n  hosts: web\n  tasks: [\n'), line: 4 },
  { id: 'ANS-002', lint: 'schema[playbook]', files: bundle(`- name: No hosts\n  tasks:\n    ${GOOD_TASK.replace(/\n/g, '\n    ')}\n`), line: 1 },
  { id: 'ANS-003', lint: 'fqcn', files: bundle(play('- name: Install nginx\n  apt:\n    name: nginx\n    state: present')), line: 5 },
  { id: 'ANS-004', lint: 'no-changed-when', files: bundle(play('- name: Say hi\n  ansible.builtin.command:\n    cmd: echo hi')) },
  { id: 'ANS-005', lint: 'risky-shell-pipe', files: bundle(play('- name: Find root\n  ansible.builtin.shell:\n    cmd: cat /etc/passwd | grep root\n  changed_when: false')) },
  { id: 'ANS-006', lint: 'no-free-form', files: bundle(play('- name: Say hi\n  ansible.builtin.command: echo hi\n  changed_when: false')) },
  { id: 'ANS-007', lint: 'name[missing]', files: bundle(play('- ansible.builtin.package:\n    name: nginx\n    state: present')) },
  { id: 'ANS-008', lint: 'risky-file-permissions', files: bundle(play('- name: Write the config\n  ansible.builtin.copy:\n    content: "x"\n    dest: /etc/x.conf')) },
  { id: 'ANS-009', lint: 'literal-compare', files: bundle(play(`${GOOD_TASK}\n  when: web_enabled == True`)) },
  { id: 'ANS-010', lint: 'partial-become', files: bundle(play(`${GOOD_TASK}\n  become_user: postgres`, '  hosts: web\n')) },
  { id: 'ANS-011', lint: 'var-naming[pattern]', files: bundle(play(GOOD_TASK, '  hosts: web\n  become: true\n  vars:\n    WebPort: 80\n')) },
  { id: 'ANS-012', lint: 'no-log-password', files: bundle(play('- name: Create the app user\n  ansible.builtin.user:\n    name: app\n    password: "{{ app_password_hash }}"')) },
  { id: 'ANS-013', files: bundle(play(GOOD_TASK), [{ path: 'ansible/group_vars/all.yml', kind: 'ansible-vars', content: 'db_password: hunter2\n' }]) },
  { id: 'ANS-014', files: bundle(play(GOOD_TASK, '  hosts: webservers\n  become: true\n')) },
  { id: 'ANS-015', files: bundle(play('- name: Greet\n  ansible.builtin.debug:\n    msg: hi')) },
  { id: 'ANS-016', files: [{ path: 'ansible/inventory.yml', kind: 'ansible-inventory', content: 'all:\n  hosts:\n    web_1:\n      ansible_host: 10.0.0.300\n' }] },
  { id: 'ANS-017', lint: 'command-instead-of-shell', files: bundle(play('- name: Say hi\n  ansible.builtin.shell:\n    cmd: echo hi\n  changed_when: false')) },
  { id: 'ANS-018', lint: 'package-latest', files: bundle(play('- name: Install nginx\n  ansible.builtin.package:\n    name: nginx\n    state: latest')) },
];

test('the rule table has stable unique ANS ids, most mapped to an ansible-lint rule', () => {
  const ids = ANSIBLE_RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.every((id) => /^ANS-0\d\d$/.test(id)));
  assert.ok(ANSIBLE_RULES.filter((r) => r.ansibleLint).length >= 8);
});

for (const c of CASES) {
  test(`${c.id} fires on a crafted bad playbook, with file:line and its ansible-lint name`, async () => {
    const findings = await validateAnsible(c.files, { syntaxChecker: noSyntaxCheck });
    const hit = findings.find((f) => f.ruleId === c.id);
    assert.ok(hit, `${c.id} among ${JSON.stringify(findings.map((f) => `${f.ruleId} ${f.message}`))}`);
    assert.match(hit.message, /^ansible\/(site|inventory|group_vars\/all)\.yml(:\d+)?: /);
    if (c.line !== undefined) assert.match(hit.message, new RegExp(`\\.yml:${c.line}: `));
    assert.equal(hit.ansibleLint, c.lint);
  });
}

test('the good playbooks raise none of the rules', async () => {
  const good = [bundle(play(GOOD_TASK)), buildK3sAnsible(k3sPlan(3, 2, HA)), buildK3sAnsible(k3sPlan(1, 0))];
  for (const files of good) assert.deepEqual(await validateAnsible(files, { syntaxChecker: noSyntaxCheck }), []);
});

test('a vault value or a lookup is not a literal secret', async () => {
  const vars = `db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162636465\napi_token: "{{ lookup('ansible.builtin.env', 'API_TOKEN') }}"\n`;
  const findings = await validateAnsible(bundle(play(GOOD_TASK), [{ path: 'ansible/group_vars/all.yml', kind: 'ansible-vars', content: vars }]), { syntaxChecker: noSyntaxCheck });
  assert.deepEqual(findings, []);
});

test('the fixer repairs the fixable rules, keeps comments, and the result passes the real syntax check', { skip: needsAnsible }, async () => {
  const site = `# keep this comment
- name: Configure web
  hosts: web
  become: true
  tasks:
    - apt:
        name: nginx
        state: present
    - name: Say hi
      command: echo hi
    - name: Plain shell
      ansible.builtin.shell:
        cmd: uname -a
    - name: Create the app user
      ansible.builtin.user:
        name: app
        password: "{{ app_password_hash }}"
`;
  const files = bundle(site);
  const checker = ansibleChecker;
  const before = await checker.validate(files);
  assert.deepEqual([...new Set(before.map((f) => f.ruleId))].sort(), ['ANS-003', 'ANS-004', 'ANS-006', 'ANS-007', 'ANS-012', 'ANS-017']);
  const { files: fixed, applied } = checker.fix(files, before);
  assert.ok(applied.length >= 6);
  const text = fixed.find((f) => f.path === 'ansible/site.yml')!.content;
  assert.match(text, /^# keep this comment/);
  assert.match(text, /name: "?Run ansible\.builtin\.apt: nginx"?|name: "?Run apt: nginx"?/);
  assert.match(text, /ansible\.builtin\.command:\n\s+cmd: echo hi\n\s+changed_when: false/);
  assert.match(text, /no_log: true/);
  const after = await checker.validate(fixed);
  assert.deepEqual(after, [], JSON.stringify(after, null, 1));
  // Files it does not own come back unchanged.
  const other: ArtefactFile = { path: 'main.tf', kind: 'terraform', content: 'x' };
  assert.equal(checker.fix([other], before).files[0], other);
});

test('rules without a safe fix are left for a human', () => {
  const files = CASES.find((c) => c.id === 'ANS-013')!.files;
  const finding = { ruleId: 'ANS-013', severity: 'error' as const, source: 'rule' as const, object: 'ansible/group_vars/all.yml', path: '/db_password', message: '' };
  const { files: out, applied } = ansibleChecker.fix(files, [finding]);
  assert.deepEqual(applied, []);
  assert.deepEqual(out, files);
});

test('bad indentation: the real syntax check returns a finding located at the file and line', { skip: needsAnsible }, async () => {
  const site = `- name: Configure web
  hosts: web
  tasks:
    - name: Install nginx
      ansible.builtin.package:
        name: nginx
     - name: Start nginx
      ansible.builtin.service:
        name: nginx
`;
  const findings = await validateAnsible(bundle(site));
  const syntax = findings.find((f) => f.ruleId === 'ANS-019');
  assert.ok(syntax, JSON.stringify(findings));
  assert.equal(syntax.severity, 'error');
  assert.equal(syntax.object, 'ansible/site.yml');
  assert.match(syntax.message, /^ansible\/site\.yml:7:\d+: ansible-playbook --syntax-check: YAML syntax error: did not find expected '-' indicator$/);
  assert.ok(findings.some((f) => f.ruleId === 'ANS-001' && /site\.yml:7: /.test(f.message)));
});

test('an unknown module: the real syntax check names it and its line', { skip: needsAnsible }, async () => {
  const site = play(`${GOOD_TASK}\n- name: Do magic\n  ansible.builtin.no_such_module:\n    spell: fireball`);
  const findings = await validateAnsible(bundle(site));
  const syntax = findings.find((f) => f.ruleId === 'ANS-019');
  assert.ok(syntax, JSON.stringify(findings));
  assert.match(syntax.message, /^ansible\/site\.yml:9:\d+: ansible-playbook --syntax-check: couldn't resolve module\/action 'ansible\.builtin\.no_such_module'/);
});

test('without ansible-playbook the syntax check is reported as skipped, not passed', async () => {
  const findings = await validateAnsible(bundle(play(GOOD_TASK)), { syntaxChecker: new AnsiblePlaybookSyntaxChecker({ bin: null }) });
  assert.deepEqual(
    findings.map((f) => [f.ruleId, f.severity]),
    [['ANS-019', 'info']],
  );
  assert.match(findings[0].message, /skipped: ansible-playbook is not installed/);
});

test('a bundle path that leaves the temp dir is refused before anything is written', { skip: needsAnsible }, async () => {
  const files = bundle(play(GOOD_TASK), [{ path: '../escape.yml', kind: 'ansible-vars', content: 'a: 1\n' }]);
  const findings = await validateAnsible(files);
  assert.ok(findings.some((f) => f.ruleId === 'ANS-019' && /not a relative path inside the bundle/.test(f.message)));
});

test('a syntax check that hangs is stopped at the timeout and reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ansible-hang-'));
  const bin = join(dir, 'ansible-playbook');
  // exec: the sleep replaces the shell, so the kill at the timeout reaches it.
  writeFileSync(bin, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
  try {
    const findings = await validateAnsible(bundle(play(GOOD_TASK)), { syntaxChecker: new AnsiblePlaybookSyntaxChecker({ bin, timeoutMs: 300 }) });
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /did not finish within 0\.3 s/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
