import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { Redactor } from '../src/llm/redact.js';
import { Secret } from '../src/llm/secret.js';

const r = new Redactor();

/** Asserts every secret is gone and every keep-string survives. */
function scrubbed(input: string, secrets: string[], keep: string[] = [], redactor = r): string {
  const out = redactor.redact(input);
  for (const s of secrets) assert.ok(!out.includes(s), `secret ${JSON.stringify(s)} survived in ${JSON.stringify(out)}`);
  for (const k of keep) assert.ok(out.includes(k), `expected ${JSON.stringify(k)} to survive in ${JSON.stringify(out)}`);
  return out;
}

describe('redaction: secrets in key=value forms', () => {
  it('password / passwd / pwd / passphrase in env, CLI-ish and connection-string forms', () => {
    scrubbed('DB_PASSWORD=hunter2 next', ['hunter2'], ['DB_PASSWORD=', 'next']);
    scrubbed('login failed password: "correct horse battery" for user bob', ['correct horse battery'], ['user bob']);
    scrubbed("passwd='s3cr3t!'", ['s3cr3t!']);
    scrubbed('Server=db;Database=app;User Id=sa;Password=P@ssw0rd;Encrypt=true', ['P@ssw0rd'], ['Server=db', 'User Id=sa', 'Encrypt=true']);
    scrubbed('host=db user=app pwd=abc123 dbname=x', ['abc123'], ['dbname=x']);
    scrubbed('ssh_passphrase = "my long passphrase"', ['my long passphrase']);
  });

  it('JSON and YAML documents keep their structure', () => {
    const out = scrubbed('{"user":"bob","password":"pa55w0rd","apiKey":"abcdef123456","nested":{"client_secret":"zzzyyyxxx"}}', ['pa55w0rd', 'abcdef123456', 'zzzyyyxxx'], ['"user":"bob"']);
    assert.match(out, /"password":"\[REDACTED:secret-value\]"/);
    scrubbed('auth:\n  token: ghx-not-a-known-format-123\n  user: ops', ['ghx-not-a-known-format-123'], ['user: ops']);
    scrubbed('AWS_SESSION_TOKEN=FwoGZXIvYXdzEJr//////////wEaDHVzZXItc2Vzc2lvbg', ['FwoGZXIvYXdzEJr']);
  });

  it('keeps references to secrets and token counters readable', () => {
    scrubbed('secretName: db-credentials', [], ['secretName: db-credentials']);
    scrubbed('passwordFile=/run/secrets/db', [], ['/run/secrets/db']);
    scrubbed('max_tokens=100 prompt_tokens=19 completion_tokens: 10', [], ['max_tokens=100', 'prompt_tokens=19', 'completion_tokens: 10']);
    scrubbed('token_type: bearer', [], ['token_type: bearer']);
  });

  it('command-line flags', () => {
    scrubbed('mysql --user=root --password=topsecret1 -h db', ['topsecret1'], ['--user=root', '-h db']);
    scrubbed('vault login --token s.AbCdEf0123456789', ['s.AbCdEf0123456789']);
  });
});

describe('redaction: token and key formats', () => {
  it('AWS access key ids and secret access keys', () => {
    scrubbed('using AKIAIOSFODNN7EXAMPLE in us-east-1', ['AKIAIOSFODNN7EXAMPLE'], ['in us-east-1']);
    scrubbed('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']);
    scrubbed('"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"', ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']);
    scrubbed('temporary creds ASIAY34FZKBOKMUTVV7A expire soon', ['ASIAY34FZKBOKMUTVV7A']);
  });

  it('bearer tokens and Authorization headers', () => {
    scrubbed('GET /api Authorization: Bearer abc.def-123_456', ['abc.def-123_456'], ['GET /api']);
    scrubbed('curl -H "Authorization: Basic dXNlcjpwYXNzd29yZA==" https://x', ['dXNlcjpwYXNzd29yZA=='], ['https://x']);
    scrubbed('sent bearer Zm9vYmFyYmF6cXV4cXV1eDEyMw in header', ['Zm9vYmFyYmF6cXV4cXV1eDEyMw']);
    scrubbed('x-api-key: 9f8e7d6c5b4a', ['9f8e7d6c5b4a']);
    // Prose survives: a short word without digits after "bearer" is not a token.
    scrubbed('he was the bearer of bad news', [], ['bearer of bad news']);
  });

  it('JWTs (Kubernetes service-account tokens, OIDC)', () => {
    const jwt =
      'eyJhbGciOiJSUzI1NiIsImtpZCI6IkJ4In0.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50OmRlZmF1bHQ6ZGVmYXVsdCJ9.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
    const out = scrubbed(`token accepted ${jwt} for sa default`, [jwt, 'c2lnbmF0dXJl'], ['for sa default']);
    assert.match(out, /\[REDACTED:jwt\]/);
  });

  it('private keys, whole PEM blocks and truncated ones', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq\nZm9vYmFy\n-----END RSA PRIVATE KEY-----';
    const out = scrubbed(`before\n${pem}\nafter`, ['MIIEowIBAAKCAQEA7bq', 'Zm9vYmFy'], ['before', 'after']);
    assert.match(out, /\[REDACTED:private-key\]/);
    scrubbed('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA', ['b3BlbnNzaC1rZXktdjEAAAAA']);
    scrubbed('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY----- tail', ['MHcCAQEEIB'], ['tail']);
    scrubbed('-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF\n-----END PGP PRIVATE KEY BLOCK-----', ['lQOYBF']);
    // Public keys and certificates are not secrets.
    scrubbed('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', [], ['MIIB']);
  });

  it('connection strings with passwords keep scheme, user and host', () => {
    const out = scrubbed('dial postgres://app:Sup3rS3cret@db.internal:5432/orders failed', ['Sup3rS3cret'], ['postgres://app:', '@db.internal:5432/orders']);
    assert.match(out, /postgres:\/\/app:\[REDACTED:url-password\]@db\.internal/);
    scrubbed('mongodb+srv://admin:p%40ss@cluster0.mongodb.net', ['p%40ss'], ['cluster0.mongodb.net']);
    scrubbed('redis://:onlypassword@cache:6379/0', ['onlypassword'], ['cache:6379']);
    scrubbed('amqp://guest:guest@rabbit:5672', ['guest@'], ['rabbit:5672']);
    scrubbed('https://example.com/path?q=1', [], ['https://example.com/path?q=1']);
  });

  it('vendor tokens: GitHub, GitLab, Slack, OpenAI-style, Stripe, Google, npm, Hugging Face', () => {
    const tokens = [
      'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
      'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
      'glpat-xxxxxxxxxxxxxxxxxxxx',
      'xoxb-123456789012-abcdefghijkl',
      'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz012345',
      'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc',
      'AIzaSyA-1234567890abcdefghijklmnopqrstu',
      'npm_' + 'abcdefghijklmnopqrstuvwxyz0123456789',
      'hf_' + 'abcdefghijklmnopqrstuvwxyzABCDEF',
    ];
    for (const t of tokens) scrubbed(`value ${t} end`, [t], ['value', 'end']);
  });
});

describe('redaction: configured secrets and patterns', () => {
  it('removes configured literal secrets in any format, plain, URL-encoded and JSON-escaped', () => {
    const key = 'plain-key-with/odd"chars';
    const red = new Redactor({ literals: [new Secret(key)] });
    scrubbed(`k=${key} u=${encodeURIComponent(key)} j=${JSON.stringify(key)}`, [key, encodeURIComponent(key), 'odd\\"chars'], [], red);
    // Too-short literals are ignored rather than shredding the text.
    assert.equal(new Redactor({ literals: ['ab'] }).redact('abcabc'), 'abcabc');
  });

  it('applies extra configured patterns', () => {
    const red = new Redactor({ extraPatterns: ['CUST-\\d{6}', /employee #\d+/i] });
    const out = scrubbed('ticket CUST-123456 by Employee #42', ['CUST-123456', 'Employee #42'], ['ticket'], red);
    assert.equal((out.match(/\[REDACTED:custom\]/g) ?? []).length, 2);
  });

  it('counts what it removed, by kind, and does not double-count', () => {
    const { counts } = r.redactWithCounts('password=abc123xyz AKIAIOSFODNN7EXAMPLE Authorization: Bearer tok3n-value-123');
    assert.deepEqual(counts, { 'secret-value': 1, 'aws-access-key': 1, authorization: 1 });
    const again = r.redactWithCounts(r.redact('password=abc123xyz'));
    assert.deepEqual(again.counts, {}, 'redacting redacted text changes nothing');
  });

  it('is idempotent and leaves ordinary log lines alone', () => {
    const lines = [
      '2024-05-01T10:00:00Z ERROR api-7f9c connection refused to db:5432 after 3 retries',
      'OOMKilled: container app exceeded memory limit 512Mi',
      'Back-off restarting failed container web in pod web-6d4cf56db6-abcde',
      'x509: certificate signed by unknown authority',
    ];
    for (const l of lines) assert.equal(r.redact(l), l);
    const messy = 'password=abc123 token: t0k3nvalue AKIAIOSFODNN7EXAMPLE';
    assert.equal(r.redact(r.redact(messy)), r.redact(messy));
  });

  it('stays linear on hostile input (long runs, many near-matches)', () => {
    const inputs = ['a'.repeat(200_000), 'password'.repeat(20_000), 'x=' + 'A'.repeat(100_000), '-----BEGIN PRIVATE KEY-----'.repeat(2000), 'eyJ' + 'a'.repeat(100_000) + '.'];
    for (const s of inputs) {
      const t = performance.now();
      r.redact(s);
      assert.ok(performance.now() - t < 1500, `slow on input starting ${s.slice(0, 20)}`);
    }
  });
});

describe('Secret', () => {
  it('never prints its value', () => {
    const s = new Secret('sk-very-secret-value-123456');
    const holder = { apiKey: s };
    for (const shown of [String(s), `${s}`, JSON.stringify(holder), inspect(holder), inspect(s, { showHidden: true, depth: 5 })])
      assert.ok(!shown.includes('sk-very-secret-value-123456'), shown);
    assert.equal(s.reveal(), 'sk-very-secret-value-123456');
  });
});
