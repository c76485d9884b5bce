import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ProxmoxApiError, ProxmoxClient, ProxmoxTaskError, proxmoxConfigFromEnv, proxmoxInventory } from '../src/execute/providers/proxmox/index.js';
import { UserError } from '../src/core/errors.js';
import { clarify } from '../src/plan/intent/clarify.js';
import { GuardrailPolicySchema } from '../src/govern/policy.js';
import { parseIntent } from '../src/plan/intent/parse.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'proxmox');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

const SECRET = 'd3b07384-d113-4ec5-a0b1-1a2b3c4d5e6f';
const TOKEN = `autonomic@pve!grounding=${SECRET}`;

interface Reply {
  status?: number;
  statusText?: string;
  body: string;
}
interface Recorded {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  body: string;
}
type Route = (req: Recorded, n: number) => Reply | 'hang';

/**
 * FAKE Proxmox VE API: a real HTTP server answering /api2/json routes with recorded response bodies
 * (test/fixtures/proxmox/README.md names their sources). It records every request it gets.
 */
class FakeProxmox {
  readonly requests: Recorded[] = [];
  private readonly counts = new Map<string, number>();
  private server!: Server;
  constructor(private readonly routes: Record<string, Route>) {}

  async start(server: Server = createHttpServer(), scheme: 'http' | 'https' = 'http'): Promise<string> {
    this.server = server;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    return `${scheme}://127.0.0.1:${port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const rec: Recorded = { method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString() };
      this.requests.push(rec);
      const key = `${req.method} ${decodeURIComponent(url.pathname.replace(/^\/api2\/json/, ''))}`;
      const n = (this.counts.get(key) ?? 0) + 1;
      this.counts.set(key, n);
      const route = this.routes[key];
      const reply = route ? route(rec, n) : { status: 501, statusText: `Method '${key}' not implemented`, body: '{"data":null}' };
      if (reply === 'hang') return;
      res.writeHead(reply.status ?? 200, reply.statusText ?? 'OK', { 'content-type': 'application/json;charset=UTF-8' });
      res.end(reply.body);
    });
  }
}

const ok = (name: string): Route => () => ({ body: fixture(name) });
const fast = { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 20 };

async function withFake<T>(routes: Record<string, Route>, run: (client: ProxmoxClient, fake: FakeProxmox) => Promise<T>, opts: { timeoutMs?: number } = {}): Promise<T> {
  const fake = new FakeProxmox(routes);
  const url = await fake.start();
  try {
    return await run(new ProxmoxClient({ url: `${url}/api2/json`, token: TOKEN, retry: fast, timeoutMs: opts.timeoutMs ?? 2000, taskPollMs: 5 }), fake);
  } finally {
    await fake.stop();
  }
}

/** Every error message a test saw, checked at the end for the token. */
const seenMessages: string[] = [];
async function failure(p: Promise<unknown>): Promise<ProxmoxApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ProxmoxApiError, `expected a ProxmoxApiError, got ${String(e)}`);
    seenMessages.push(e.message, String(e.stack));
    return e;
  }
  assert.fail('expected the call to fail');
}

test('inventory: nodes with free capacity, templates, storage, names and VMIDs from /cluster/resources', async () => {
  await withFake({ 'GET /cluster/resources': ok('cluster-resources.json') }, async (client, fake) => {
    const inv = await proxmoxInventory(client);
    assert.equal(fake.requests.length, 1);
    assert.equal(fake.requests[0].authorization, `PVEAPIToken=${TOKEN}`);
    assert.equal(inv.source, 'proxmox');
    assert.deepEqual(inv.nodes(), [
      { name: 'node1', ready: true, cpuAllocatableMillis: 8000, memoryAllocatableMiB: 62865, cpuFreeMillis: 7973, memoryFreeMiB: 60850 },
      { name: 'node2', ready: true, cpuAllocatableMillis: 12000, memoryAllocatableMiB: 32012, cpuFreeMillis: 11956, memoryFreeMiB: 24261 },
      { name: 'node3', ready: true, cpuAllocatableMillis: 4000, memoryAllocatableMiB: 15896, cpuFreeMillis: 3978, memoryFreeMiB: 14292 },
      { name: 'node4', ready: true, cpuAllocatableMillis: 4000, memoryAllocatableMiB: 15880, cpuFreeMillis: 3971, memoryFreeMiB: 14260 },
    ]);
    assert.deepEqual(inv.templates(), [{ id: '101', name: 'leap154' }]);
    assert.deepEqual(inv.existingNames(), ['VM 200', 'leap154', 'machine-test', 'server1']);
    assert.deepEqual(inv.vmIds(), [100, 101, 102, 200]);
    // local-zfs holds VM images (content "images,rootdir"); local holds ISOs/backups, cloud-init snippets.
    assert.deepEqual(inv.storageClasses(), [
      { name: 'cloud-init', isDefault: false },
      { name: 'local', isDefault: false },
      { name: 'local-zfs', isDefault: true },
    ]);

    // The inventory grounds the clarifying questions of a Proxmox request.
    const q = clarify(parseIntent('Create a VM on proxmox named web-1').spec, { inventory: inv, policy: GuardrailPolicySchema.parse({}) });
    const template = q.find((x) => x.id === 'template');
    assert.deepEqual(template?.options, ['101 (leap154)']);
    assert.equal(q.find((x) => x.id === 'node')?.suggested, 'node2');
  });
});

test('reads: nodes, PVE 6.2 qemu list (string VMIDs, template ""), VM config, next id, storage', async () => {
  const routes: Record<string, Route> = {
    'GET /nodes': ok('nodes.json'),
    'GET /nodes/testnode/qemu': ok('qemu-list.json'),
    'GET /nodes/testnode/qemu/101/config': ok('qemu-config.json'),
    'GET /cluster/nextid': ok('nextid.json'),
    'GET /nodes/node1/storage': ok('storage.json'),
    'GET /cluster/resources': ok('cluster-resources.json'),
  };
  await withFake(routes, async (client, fake) => {
    const nodes = await client.nodes();
    assert.deepEqual(nodes.map((n) => [n.node, n.status, n.maxcpu]), [['node1', 'online', 12], ['node2', 'online', 4], ['node3', 'online', 4], ['node4', 'online', 8]]);
    const qemu = await client.qemuList('testnode');
    assert.deepEqual(qemu.map((v) => [v.vmid, v.name, v.template]), [[101, 'test-qemu', false], [102, 'test-qemu-windows', false], [103, 'test-qemu-multi-nic', false], [9001, 'test-qemu-template', true]]);
    const config = await client.vmConfig('testnode', 101);
    assert.equal(config.cores, 1);
    assert.equal(config.memory, 1000);
    assert.equal(config.net0, 'virtio=ff:ff:ff:ff:ff:ff,bridge=vmbr0,firewall=1');
    assert.equal(await client.nextId(), 100);
    assert.deepEqual((await client.storage('node1')).map((s) => [s.storage, s.type, s.content]), [['local', 'dir', 'images,rootdir,vztmpl,backup,iso,snippets'], ['local-lvm', 'lvmthin', 'images,rootdir']]);
    await client.clusterResources('vm');
    assert.equal(fake.requests.at(-1)?.url, '/api2/json/cluster/resources?type=vm');
  });
});

test('clone then waitForTask: running → stopped OK; the form carries the clone options', async () => {
  const upid = JSON.parse(fixture('clone-upid.json')).data as string;
  const routes: Record<string, Route> = {
    'POST /nodes/node1/qemu/101/clone': ok('clone-upid.json'),
    [`GET /nodes/node1/tasks/${upid}/status`]: (_r, n) => ({ body: fixture(n <= 2 ? 'task-running.json' : 'task-stopped-ok.json') }),
    'PUT /nodes/node2/qemu/123/config': () => ({ body: '{"data":null}' }),
  };
  await withFake(routes, async (client, fake) => {
    const got = await client.clone('node1', 101, { newid: 123, name: 'web-1', target: 'node2', full: true, storage: 'local-zfs' });
    assert.equal(got, upid);
    const post = fake.requests[0];
    assert.equal(post.contentType, 'application/x-www-form-urlencoded');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(post.body)), { newid: '123', name: 'web-1', target: 'node2', full: '1', storage: 'local-zfs' });
    const status = await client.waitForTask('node1', upid, { timeoutMs: 5000, pollMs: 5 });
    assert.equal(status.exitstatus, 'OK');
    assert.equal(fake.count(`GET /nodes/node1/tasks/${upid}/status`), 3);

    await client.setConfig('node2', 123, { cores: 2, memory: 2048, sshkeys: 'ssh-ed25519 AAAAC3 me@host' });
    const put = fake.requests.at(-1)!;
    assert.equal(put.method, 'PUT');
    const form = Object.fromEntries(new URLSearchParams(put.body));
    assert.equal(form.cores, '2');
    assert.equal(form.memory, '2048');
    assert.equal(form.sshkeys, 'ssh-ed25519%20AAAAC3%20me%40host');
  });
});

test('a failed task (exitstatus other than OK) is a clear error carrying PVE\'s message; a task that never ends times out', async () => {
  const upid = 'UPID:example-node:002E096A:0E10F08E:6382D261:qmclone:102:root@pam:';
  const routes: Record<string, Route> = {
    [`GET /nodes/node1/tasks/${upid}/status`]: (_r, n) => ({ body: fixture(n === 1 ? 'task-running.json' : 'task-stopped-failed.json') }),
    'GET /nodes/node1/tasks/UPID:node1:00000001:00000001:00000001:test:running:root@pam:/status': ok('task-running.json'),
  };
  await withFake(routes, async (client) => {
    const e = await failure(client.waitForTask('node1', upid, { timeoutMs: 5000, pollMs: 5 }));
    assert.ok(e instanceof ProxmoxTaskError);
    assert.equal(e.kind, 'task-failed');
    assert.match(e.message, /task UPID:example-node:.*qmclone:102.* on node1 failed: clone failed: lvcreate 'pve-vm01\/vm-103-disk-0' error/);
    assert.equal(e.exitStatus, "clone failed: lvcreate 'pve-vm01/vm-103-disk-0' error:   Failed to activate new LV pve-vm01/vm-103-disk-0.");

    const t = await failure(client.waitForTask('node1', 'UPID:node1:00000001:00000001:00000001:test:running:root@pam:', { timeoutMs: 60, pollMs: 10 }));
    assert.equal(t.kind, 'task-timeout');
    assert.match(t.message, /still running after/);
  });
});

test('401 (recorded {"data":null} and an empty body): a clear auth error, not retried, without the token', async () => {
  for (const body of [fixture('error-401.json'), '']) {
    await withFake({ 'GET /cluster/resources': () => ({ status: 401, statusText: 'authentication failure', body }) }, async (client, fake) => {
      const e = await failure(client.clusterResources());
      assert.equal(e.kind, 'auth');
      assert.equal(e.status, 401);
      assert.match(e.message, /^Proxmox GET \/cluster\/resources: authentication failed \(HTTP 401: authentication failure\); check the API token/);
      assert.equal(fake.requests.length, 1, 'an auth failure is not retried');
    });
  }
});

test('500 on a read is retried with backoff, then reported; a "does not exist" 500 and a failed write are not retried', async () => {
  await withFake({ 'GET /nodes': (_r, n) => (n < 3 ? { status: 500, statusText: 'Internal Server Error', body: '{"data":null}' } : { body: fixture('nodes.json') }) }, async (client, fake) => {
    assert.equal((await client.nodes()).length, 4);
    assert.equal(fake.requests.length, 3);
  });
  await withFake({ 'GET /nodes': () => ({ status: 500, statusText: 'Internal Server Error', body: '{"data":null}' }) }, async (client, fake) => {
    const e = await failure(client.nodes());
    assert.equal(e.kind, 'http');
    assert.equal(e.status, 500);
    assert.match(e.message, /^Proxmox GET \/nodes: HTTP 500: Internal Server Error$/);
    assert.equal(fake.requests.length, 3, 'first try + 2 retries');
  });
  const missing = fixture('error-500-config-missing.json');
  await withFake({ 'GET /nodes/pve-root/qemu/999/config': () => ({ status: 500, statusText: "Configuration file 'nodes/pve-root/qemu-server/999.conf' does not exist", body: missing }) }, async (client, fake) => {
    const e = await failure(client.vmConfig('pve-root', 999));
    assert.match(e.message, /HTTP 500: Configuration file 'nodes\/pve-root\/qemu-server\/999.conf' does not exist/);
    assert.equal(e.retryable, false);
    assert.equal(fake.requests.length, 1);
  });
  await withFake({ 'POST /nodes/node1/qemu/101/clone': () => ({ status: 500, statusText: 'Internal Server Error', body: '{"data":null}' }) }, async (client, fake) => {
    await failure(client.clone('node1', 101, { newid: 150 }));
    assert.equal(fake.requests.length, 1, 'a clone is never sent twice');
  });
  await withFake({ 'GET /cluster/nextid': () => ({ status: 400, statusText: 'Parameter verification failed.', body: fixture('error-400-params.json') }) }, async (client) => {
    const e = await failure(client.nextId());
    assert.match(e.message, /HTTP 400: Parameter verification failed\. — vmid: VM 200 already exists/);
  });
});

test('a read that gets no answer times out, is retried, then fails naming the endpoint', async () => {
  await withFake({ 'GET /nodes': () => 'hang' }, async (client, fake) => {
    const e = await failure(client.nodes());
    assert.equal(e.kind, 'timeout');
    assert.match(e.message, /^Proxmox GET \/nodes: no answer within 100 ms$/);
    assert.equal(fake.requests.length, 3);
  }, { timeoutMs: 100 });
});

test('a malformed body is a decode error naming the field; a non-JSON body says so', async () => {
  const bad = JSON.parse(fixture('cluster-resources.json')) as { data: Record<string, unknown>[] };
  bad.data[4].maxcpu = 'four';
  await withFake({ 'GET /cluster/resources': () => ({ body: JSON.stringify(bad) }), 'GET /nodes': () => ({ body: '<html>proxy error</html>' }) }, async (client, fake) => {
    const e = await failure(client.clusterResources());
    assert.equal(e.kind, 'decode');
    assert.match(e.message, /^Proxmox GET \/cluster\/resources: unexpected answer, data\[4\]\.maxcpu: /);
    assert.equal(fake.requests.length, 1, 'a malformed answer is not retried');
    const h = await failure(client.nodes());
    assert.match(h.message, /unexpected answer, not JSON: "<html>proxy error<\/html>"/);
  });
});

test('TLS: verification is on by default (self-signed certificate refused), and can be satisfied with the CA or turned off explicitly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pve-tls-'));
  try {
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    } catch {
      t.skip('openssl is not available');
      return;
    }
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const fake = new FakeProxmox({ 'GET /cluster/nextid': ok('nextid.json') });
    const port = new URL(await fake.start(createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }), 'https')).port;
    const url = `https://127.0.0.1:${port}`;
    try {
      const strict = new ProxmoxClient({ url, token: TOKEN, retry: fast });
      const e = await failure(strict.nextId());
      assert.equal(e.kind, 'tls');
      assert.match(e.message, /not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\); trust the cluster CA/);
      assert.equal(fake.requests.length, 0);
      assert.equal(await new ProxmoxClient({ url, token: TOKEN, ca: cert }).nextId(), 100);
      assert.equal(await new ProxmoxClient({ url, token: TOKEN, insecureSkipTlsVerify: true }).nextId(), 100);
    } finally {
      await fake.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('config from the environment: https only, token shape checked, errors name the variable and never echo the token', () => {
  const c = proxmoxConfigFromEnv({ AUTONOMIC_PROXMOX_URL: 'https://pve.example:8006', AUTONOMIC_PROXMOX_TOKEN: TOKEN });
  assert.equal(c.url, 'https://pve.example:8006');
  assert.equal(c.insecureSkipTlsVerify, false);
  assert.equal(proxmoxConfigFromEnv({ AUTONOMIC_PROXMOX_URL: 'https://pve.example:8006', AUTONOMIC_PROXMOX_TOKEN: TOKEN, AUTONOMIC_PROXMOX_INSECURE: '1' }).insecureSkipTlsVerify, true);

  const bad = (env: NodeJS.ProcessEnv): UserError => {
    try {
      proxmoxConfigFromEnv(env);
    } catch (e) {
      assert.ok(e instanceof UserError);
      seenMessages.push(e.message);
      return e;
    }
    assert.fail('expected a UserError');
  };
  assert.match(bad({ AUTONOMIC_PROXMOX_URL: 'https://pve.example:8006', AUTONOMIC_PROXMOX_TOKEN: `autonomic@pve=${SECRET}` }).message, /^AUTONOMIC_PROXMOX_TOKEN: must have the form USER@REALM!TOKENID=SECRET$/);
  assert.match(bad({ AUTONOMIC_PROXMOX_URL: 'http://pve.example:8006', AUTONOMIC_PROXMOX_TOKEN: TOKEN }).message, /^AUTONOMIC_PROXMOX_URL: must be an https:\/\/ URL/);
  assert.match(bad({ AUTONOMIC_PROXMOX_TOKEN: TOKEN }).message, /^proxmox config url: is not set \(set AUTONOMIC_PROXMOX_URL\)$/);
  assert.throws(() => new ProxmoxClient({ url: 'https://pve:8006', token: SECRET }), (e: unknown) => e instanceof UserError && !e.message.includes(SECRET));
});

test('the token never appears in an error message, nor in the client when printed — even if the server echoes it', async () => {
  const echo: Route = (r) => ({ status: 500, statusText: 'Internal Server Error', body: JSON.stringify({ data: null, message: `bad header ${r.authorization}` }) });
  await withFake({ 'GET /nodes': echo, 'GET /cluster/resources': () => ({ status: 403, statusText: `Permission check failed (/, Sys.Audit) for ${TOKEN}`, body: '{"data":null}' }) }, async (client) => {
    const e = await failure(client.nodes());
    assert.match(e.message, /bad header \*\*\*/);
    const p = await failure(client.clusterResources());
    assert.equal(p.kind, 'permission');
    assert.match(p.message, /permission denied \(HTTP 403: Permission check failed \(\/, Sys\.Audit\) for \*\*\*\)/);
    assert.ok(!inspect(client, { depth: 5, showHidden: true }).includes(SECRET));
    assert.ok(!JSON.stringify(client).includes(SECRET));
  });
});

after(() => {
  assert.ok(seenMessages.length >= 15, `collected ${seenMessages.length} messages`);
  for (const m of seenMessages) {
    assert.ok(!m.includes(SECRET), `the token secret leaked into: ${m}`);
    assert.ok(!m.includes('grounding='), `the token leaked into: ${m}`);
  }
});
