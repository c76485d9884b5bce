import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMap } from 'yaml';
import { editYamlDocument, parseStream, replaceNodeText, YamlEditError } from '../src/execute/providers/gitops/yaml-edit.js';

const STREAM = `# two documents
kind: Deployment
metadata:
  name: web   # front
spec:
  replicas: 3 # by hand
  template:
    metadata:
      labels: {app: web}
---
kind: Service
metadata: {name: web}   # flow style, left alone
`;

test('an existing value is replaced in place: comments, spacing and the other document are untouched', () => {
  const out = editYamlDocument(STREAM, 0, [{ path: ['spec', 'replicas'], value: 7 }]);
  assert.equal(out, STREAM.replace('replicas: 3 # by hand', 'replicas: 7 # by hand'));
});

test('missing keys are added as new lines under the nearest block mapping, strings quoted', () => {
  const out = editYamlDocument(STREAM, 0, [{ path: ['spec', 'template', 'metadata', 'annotations', 'example.com/at'], value: '2026-01-01T00:00:00Z' }]);
  assert.equal(out, STREAM.replace('      labels: {app: web}\n', '      labels: {app: web}\n      annotations:\n        example.com/at: "2026-01-01T00:00:00Z"\n'));
  assert.equal(parseStream(out, 'out')[0].getIn(['spec', 'template', 'metadata', 'annotations', 'example.com/at']), '2026-01-01T00:00:00Z');
});

test('a flow mapping falls back to the Document API rendering, which still says the same thing', () => {
  const out = editYamlDocument(STREAM, 1, [{ path: ['metadata', 'namespace'], value: 'shop' }]);
  assert.deepEqual(parseStream(out, 'out')[1].toJS(), { kind: 'Service', metadata: { name: 'web', namespace: 'shop' } });
  assert.match(out, /# flow style, left alone/);
  assert.match(out, /replicas: 3 # by hand/);
});

test('editing a collection as a value, or broken YAML, is an error and nothing is returned', () => {
  assert.throws(() => editYamlDocument(STREAM, 0, [{ path: ['spec', 'template'], value: 1 }]), YamlEditError);
  assert.throws(() => editYamlDocument('a: [1, 2\n', 0, [{ path: ['a'], value: 1 }], 'bad.yaml'), (e: unknown) => e instanceof YamlEditError && /^bad\.yaml: YAML error/.test(e.message));
});

test('replaceNodeText swaps a whole block mapping for text of the same shape', () => {
  const older = 'spec:\n  template:\n    metadata:\n      labels: {app: web, v: "1"}\n';
  const current = '# head\nspec:\n  replicas: 2\n  template:\n    metadata:\n      labels: {app: web, v: "2"}   # bumped\n';
  const node = parseStream(older, 'older')[0].getIn(['spec', 'template'], true);
  assert.ok(isMap(node) && node.range);
  const out = replaceNodeText(current, 0, ['spec', 'template'], { text: older.slice(node.range[0], node.range[1]), value: { metadata: { labels: { app: 'web', v: '1' } } } });
  assert.equal(out, '# head\nspec:\n  replicas: 2\n  template:\n    metadata:\n      labels: {app: web, v: "1"}\n');
});
