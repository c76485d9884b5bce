import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { UserError } from '../src/core/errors.js';
import { buildHostsAnsible } from '../src/plan/intent/ansible/hosts.js';
import { validateAnsible } from '../src/plan/intent/ansible/validate.js';
import { findHostsIntent, readHostsIntent } from '../src/plan/intent/parse/hosts.js';
import { IntentSpecSchema, type IntentSpecInput } from '../src/plan/intent/spec.js';
import { needsAnsible } from './intent-ansible-plans.js';

const spec = (prose: string, extra: Partial<IntentSpecInput> = {}) => IntentSpecSchema.parse({ target: 'ansible', action: 'configure-hosts', hosts: findHostsIntent(prose), ...extra });

test('"install nginx and enable it on web1 and web2 (10.0.0.5, 10.0.0.6)": package, service, hosts with their addresses', () => {
  assert.deepEqual(findHostsIntent('install nginx and enable it on web1 and web2 (10.0.0.5, 10.0.0.6)'), {
    hosts: [
      { name: 'web1', address: '10.0.0.5', groups: [] },
      { name: 'web2', address: '10.0.0.6', groups: [] },
    ],
    packages: ['nginx'],
    services: ['nginx'],
  });
});

test('"configure the hosts in group web": the group, nothing else', () => {
  assert.deepEqual(findHostsIntent('configure the hosts in group web'), { hosts: [], packages: [], services: [], group: 'web' });
});

test('"ensure docker is running on 192.168.1.20": a service on an address', () => {
  assert.deepEqual(findHostsIntent('ensure docker is running on 192.168.1.20'), { hosts: [{ name: '192.168.1.20', groups: [] }], packages: [], services: ['docker'] });
});

test('several packages, per-host addresses and a separate sentence for the service', () => {
  assert.deepEqual(findHostsIntent('Install nginx, curl and git on web1 (10.0.0.5) and db1 (10.0.0.7). Enable and start the nginx service.'), {
    hosts: [
      { name: 'web1', address: '10.0.0.5', groups: [] },
      { name: 'db1', address: '10.0.0.7', groups: [] },
    ],
    packages: ['nginx', 'curl', 'git'],
    services: ['nginx'],
  });
});

test('hosts that are not DNS names or valid IPv4 addresses are left out with a note', () => {
  const r = readHostsIntent('install htop on web_1, web2 (10.0.0.300), 10.0.0.256 and db1');
  assert.deepEqual(r.intent?.hosts, [{ name: 'db1', groups: [] }]);
  assert.deepEqual(r.notes, [
    'host "web_1" omitted: not a DNS name (letters, digits and hyphens) or an IPv4 address',
    'host "web2" omitted: its address "10.0.0.300" is not a valid IPv4 address',
    'host "10.0.0.256" omitted: not a valid IPv4 address',
  ]);
});

test('a request about something else configures no hosts', () => {
  assert.equal(findHostsIntent('Deploy nginx:1.25 named site with 3 replicas'), undefined);
});

test('the hosts bundle: inventory, group vars and one play; it passes the real syntax check with no findings', { skip: needsAnsible }, async () => {
  const files = buildHostsAnsible(spec('install nginx and enable it on web1 and web2 (10.0.0.5, 10.0.0.6)', { name: 'web' }));
  assert.deepEqual(
    files.map((f) => [f.path, f.kind]),
    [
      ['ansible/inventory.yml', 'ansible-inventory'],
      ['ansible/group_vars/web.yml', 'ansible-vars'],
      ['ansible/site.yml', 'ansible-playbook'],
    ],
  );
  const inv = parse(files[0].content);
  assert.deepEqual(inv.all.children.web.hosts, { web1: { ansible_host: '10.0.0.5' }, web2: { ansible_host: '10.0.0.6' } });
  assert.deepEqual(parse(files[1].content), { managed_packages: ['nginx'], managed_services: ['nginx'] });
  const [play] = parse(files[2].content);
  assert.equal(play.hosts, 'web');
  assert.deepEqual(
    play.tasks.map((t: Record<string, unknown>) => Object.keys(t).find((k) => k.startsWith('ansible.builtin.'))),
    ['ansible.builtin.package', 'ansible.builtin.service'],
  );
  assert.deepEqual(await validateAnsible(files), []);
});

test('a group with no hosts yet: an empty group with a note, still a valid bundle', { skip: needsAnsible }, async () => {
  const files = buildHostsAnsible(spec('configure the hosts in group web'));
  assert.match(files[0].content, /# The request named group web but no hosts/);
  assert.deepEqual(await validateAnsible(files), []);
});

test('an address-only host (no group named) goes into group "managed" and validates', { skip: needsAnsible }, async () => {
  const files = buildHostsAnsible(spec('ensure docker is running on 192.168.1.20'));
  assert.deepEqual(parse(files[0].content).all.children.managed.hosts, { '192.168.1.20': null });
  assert.deepEqual(await validateAnsible(files), []);
});

test('names that could inject into the play or the inventory are refused with their location', () => {
  const base = { target: 'ansible' as const, action: 'configure-hosts' as const };
  const bad = (hosts: IntentSpecInput['hosts'], where: RegExp) =>
    assert.throws(() => buildHostsAnsible(IntentSpecSchema.parse({ ...base, hosts })), (e: unknown) => e instanceof UserError && where.test(e.message));
  bad({ hosts: [{ name: 'web1;rm -rf' }] }, /spec\.hosts\.hosts\[0\]\.name: "web1;rm -rf" is neither a DNS name nor an IPv4 address/);
  bad({ hosts: [{ name: 'web1', address: '10.0.0.300' }] }, /spec\.hosts\.hosts\[0\]\.address/);
  bad({ hosts: [{ name: 'web1' }], packages: ["{{ lookup('pipe', 'id') }}"] }, /spec\.hosts\.packages\[0\]: .* is not a package name/);
  bad({ hosts: [{ name: 'web1' }], services: ['nginx service'] }, /spec\.hosts\.services\[0\]/);
  bad({ group: 'web servers' }, /spec\.hosts\.group/);
  bad({}, /names no hosts and no inventory group/);
  assert.throws(() => buildHostsAnsible(IntentSpecSchema.parse({ target: 'kubernetes', action: 'deploy' })), /spec\.target/);
});
