import { z } from 'zod';

/**
 * The JSON Schema sent to the model, derived from the zod schema the reply is validated with (zod is the one
 * source of truth: the wire schema guides decoding, zod enforces). `strict` tells whether OpenAI's strict
 * structured-output mode accepts it: every object closed (`additionalProperties: false`) with every property
 * required. Optional fields make a schema non-strict; the server then only guides, and zod still checks.
 */
export interface WireSchema {
  name: string;
  schema: Record<string, unknown>;
  strict: boolean;
}

export function toWireSchema(task: string, schema: z.ZodType): WireSchema {
  // `io: 'output'` describes what the model must produce; `unrepresentable: 'any'` keeps transforms and
  // refinements (checked by zod anyway) from aborting the conversion.
  const json = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema: _dialect, ...rest } = json;
  return { name: schemaName(task), schema: rest, strict: isStrictCompatible(rest) };
}

/** OpenAI requires `^[a-zA-Z0-9_-]{1,64}$` for the schema name. */
export function schemaName(task: string): string {
  const n = task.replace(/[^a-zA-Z0-9_-]+/g, '_').slice(0, 64);
  return n.length > 0 ? n : 'response';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStrictCompatible(node: unknown): boolean {
  if (Array.isArray(node)) return node.every(isStrictCompatible);
  if (!isRecord(node)) return true;
  if (node.type === 'object' || isRecord(node.properties)) {
    const props = isRecord(node.properties) ? Object.keys(node.properties) : [];
    const required = Array.isArray(node.required) ? node.required : [];
    if (node.additionalProperties !== false) return false;
    if (!props.every((p) => required.includes(p))) return false;
  }
  return Object.values(node).every(isStrictCompatible);
}
