import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCompose } from '../src/plan/intent/repo/compose.js';
import { readDockerfile } from '../src/plan/intent/repo/dockerfile.js';
import { healthUrlFromCommand } from '../src/plan/intent/repo/health-url.js';
import { isImageReference } from '../src/plan/intent/repo/image-ref.js';
import { isSecretKey, isSecretValue } from '../src/plan/intent/repo/secrets.js';

const kinds = (r: ReturnType<typeof readDockerfile>) => r.facts.map((f) => ({ ...f, origin: undefined, file: undefined }));

test('Dockerfile: final stage through aliases, legacy ENV, EXPOSE ranges and udp, HEALTHCHECK NONE, escape directive', () => {
  const r = readDockerfile(
    [
      'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
      'ENV CGO_ENABLED 0',
      'FROM gcr.io/distroless/static-debian12 AS base',
      'ENV TZ UTC',
      'EXPOSE 53/udp 9100-9102',
      'HEALTHCHECK CMD ["/probe", "http://localhost:9100/metrics"]',
      'FROM base',
      'HEALTHCHECK NONE',
      'USER 65532:65532',
      'ENTRYPOINT ["/app"]',
    ].join('\n'),
    'Dockerfile',
  );
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(kinds(r), [
    { kind: 'base-image', value: 'gcr.io/distroless/static-debian12', line: 3, origin: undefined, file: undefined },
    { kind: 'env', name: 'TZ', value: 'UTC', line: 4, origin: undefined, file: undefined },
    { kind: 'port', port: 53, protocol: 'UDP', line: 5, origin: undefined, file: undefined },
    { kind: 'port', port: 9100, protocol: 'TCP', line: 5, origin: undefined, file: undefined },
    { kind: 'port', port: 9101, protocol: 'TCP', line: 5, origin: undefined, file: undefined },
    { kind: 'port', port: 9102, protocol: 'TCP', line: 5, origin: undefined, file: undefined },
    { kind: 'user', value: '65532:65532', line: 9, origin: undefined, file: undefined },
    { kind: 'start', value: '/app', line: 10, origin: undefined, file: undefined },
  ]);

  const escaped = readDockerfile('# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nENV APP_HOME=C:\\app `\n    MODE=prod\n', 'Dockerfile');
  assert.deepEqual(escaped.facts.filter((f) => f.kind === 'env').map((f) => f.kind === 'env' && [f.name, f.value]), [['APP_HOME', 'C:\\app'], ['MODE', 'prod']]);

  assert.deepEqual(readDockerfile('# only a comment\n', 'Dockerfile').warnings, ['Dockerfile: no FROM instruction']);
  assert.deepEqual(readDockerfile('FROM evil/x;rm -rf /\n', 'Dockerfile').warnings, ['Dockerfile:1: the FROM image is not a valid image reference; ignored']);
});

test('Compose: the service with build: is the app; ports in every spelling; list environment; healthcheck; others are dependencies', () => {
  const r = readCompose(
    [
      'services:',
      '  cache: {image: "redis:7.2"}',
      '  web:',
      '    build: {context: .}',
      '    image: registry.example.com/shop/web:2.0',
      '    ports: ["127.0.0.1:8443:443/tcp", 8080, {target: 5353, protocol: udp}]',
      '    environment: ["MODE=prod", "GITHUB_TOKEN=ghp_x", "PASSTHROUGH"]',
      '    healthcheck: {test: ["CMD-SHELL", "curl -fsS localhost:8080/status || exit 1"]}',
      '    user: "1000"',
    ].join('\n'),
    'docker-compose.yml',
  );
  assert.deepEqual(r.warnings, []);
  const get = (k: string) => r.facts.filter((f) => f.kind === k);
  assert.deepEqual(get('name').map((f) => f.kind === 'name' && f.value), ['web']);
  assert.deepEqual(get('image').map((f) => f.kind === 'image' && f.value), ['registry.example.com/shop/web:2.0']);
  assert.deepEqual(get('port').map((f) => f.kind === 'port' && `${f.port}/${f.protocol}`), ['443/TCP', '8080/TCP', '5353/UDP']);
  assert.deepEqual(get('env').map((f) => f.kind === 'env' && [f.name, f.value]), [['MODE', 'prod'], ['GITHUB_TOKEN', 'ghp_x'], ['PASSTHROUGH', undefined]]);
  assert.deepEqual(get('health').map((f) => f.kind === 'health' && [f.path, f.port]), [['/status', 8080]]);
  assert.deepEqual(get('dependency').map((f) => f.kind === 'dependency' && [f.name, f.image]), [['cache', 'redis:7.2']]);
  assert.match(readCompose('version: "3"\n', 'compose.yaml').warnings[0], /^compose\.yaml: services: /);
});

test('health URLs, image references and secret detection', () => {
  assert.deepEqual(healthUrlFromCommand('curl -f http://localhost:8080/healthz || exit 1'), { path: '/healthz', port: 8080 });
  assert.deepEqual(healthUrlFromCommand('wget -q --spider http://127.0.0.1/'), { path: '/', port: undefined });
  assert.equal(healthUrlFromCommand('pg_isready -U postgres'), undefined);
  for (const ok of ['nginx', 'nginx:1.27-alpine', 'ghcr.io/acme/web:1.4.2', 'localhost:5000/a/b_c:v1', `busybox@sha256:${'a'.repeat(64)}`]) assert.ok(isImageReference(ok), ok);
  for (const bad of ['evil/x; rm -rf /', 'Nginx:1.0', 'ghcr.io/Acme/web', '', 'a b', 'nginx:', '../etc/passwd']) assert.ok(!isImageReference(bad), bad);
  for (const k of ['DB_PASSWORD', 'API_KEY', 'JWT_SECRET', 'GITHUB_TOKEN', 'SSL_CERT']) assert.ok(isSecretKey(k), k);
  for (const k of ['PORT', 'LOG_LEVEL', 'NODE_ENV']) assert.ok(!isSecretKey(k), k);
  assert.ok(isSecretValue('postgres://u:p4ss@db:5432/x'));
  assert.ok(isSecretValue('AKIAIOSFODNN7EXAMPLE'));
  assert.ok(!isSecretValue('http://db:5432/x'));
});
