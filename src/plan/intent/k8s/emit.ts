/**
 * Manifests → YAML text that every common reader (kubectl's YAML 1.2 decoder, PyYAML's YAML 1.1)
 * reads back as the same data: any string a YAML 1.1 reader would turn into something else (`yes`,
 * `on`, `010`, `1:30`, `=`, dates) is double-quoted. Each emitted stream is read back with the
 * PyYAML-compatible loader and compared, so an unreadable artefact can never leave this function.
 */
import { isDeepStrictEqual } from 'node:util';
import { Document, Scalar, visit } from 'yaml';
import { pyToJs } from '../eval/pyvalue.js';
import { resolvePlain, safeLoadAll } from '../eval/yaml11.js';
import type { Manifest } from './manifest.js';

const STR = 'tag:yaml.org,2002:str';

function stringifyOne(m: Manifest): string {
  const doc = new Document(m, { version: '1.1' });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && resolvePlain(node.value) !== STR) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

export class EmitError extends Error {
  override name = 'EmitError';
}

export function toYaml(manifests: readonly Manifest[]): string {
  const text = manifests.map(stringifyOne).join('---\n');
  const back = safeLoadAll(text).map(pyToJs);
  if (!isDeepStrictEqual(back, manifests.map((m) => JSON.parse(JSON.stringify(m)) as unknown))) {
    throw new EmitError('emitted YAML does not read back as the manifests it was made from');
  }
  return text;
}
